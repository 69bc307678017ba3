using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace SalesEtl.ServiceDefaults.Metrics;

/// <summary>
/// prometheus-net for every service: HTTP metrics, process and runtime metrics, the .NET meters of
/// MassTransit and the runtime, and the service's own <c>etl_*</c> metrics, all on <c>/metrics</c>.
/// </summary>
public static class EtlMetricsSetup
{
    /// <summary>The .NET meters exported through prometheus-net's MeterAdapter (others are not exported: they duplicate prometheus-net's own HTTP metrics or carry unbounded tags).</summary>
    public static IReadOnlySet<string> ExportedMeters { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "MassTransit",       // masstransit_messaging_masstransit_* (counters exported as gauges, durations in ms)
        "System.Runtime",    // system_runtime_dotnet_* (GC, heap, thread pool, CPU time, exceptions)
    };

    /// <summary>
    /// Configures the exported meters and registers the start-up collection. Call before the bus is
    /// added, so that the first collection (which starts the MeterAdapter) happens before the bus starts.
    /// </summary>
    public static IServiceCollection AddEtlMetrics(this IServiceCollection services)
    {
        // Both only take effect before the first collection, which the hosted service below triggers.
        Prometheus.Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions
        {
            // The System.Runtime meter gives the same figures as the runtime's event counters, without polling.
            SuppressEventCounters = true,
        });
        Prometheus.Metrics.ConfigureMeterAdapter(options => options.InstrumentFilterPredicate = IsExported);

        // Hosted services start in registration order: this one runs before MassTransit's.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, MetricsStartup>());
        return services;
    }

    static bool IsExported(Instrument instrument) => ExportedMeters.Contains(instrument.Meter.Name);

    /// <summary><c>/metrics</c> and the HTTP request metrics (<c>http_requests_received_total</c>, <c>http_request_duration_seconds</c>, <c>http_requests_in_progress</c>).</summary>
    public static WebApplication MapEtlMetrics(this WebApplication app)
    {
        app.UseHttpMetrics();
        app.MapMetrics();
        return app;
    }

    /// <summary>
    /// prometheus-net starts its MeterAdapter (and the default collectors) at the first collection;
    /// until then MassTransit's measurements are dropped. Collecting once at start-up starts them.
    /// </summary>
    sealed class MetricsStartup : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) =>
            Prometheus.Metrics.DefaultRegistry.CollectAndExportAsTextAsync(Stream.Null, cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
