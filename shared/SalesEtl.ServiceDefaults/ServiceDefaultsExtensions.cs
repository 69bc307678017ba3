using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Prometheus;
using SalesEtl.Data;
using SalesEtl.ServiceDefaults.Metrics;
using Serilog;
using Serilog.Formatting.Compact;
using Serilog.Settings.Configuration;

namespace SalesEtl.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>Serilog (console, compact JSON in containers, Seq when <c>Seq:ServerUrl</c> is set), PostgreSQL, health checks and metrics.</summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        RequireCredentialsOutsideDevelopment(builder);
        builder.AddEtlLogging(serviceName);
        builder.Services.AddEtlMetrics();
        builder.Services.AddEtlDatabase(builder.Configuration.GetConnectionString(EtlDatabase.ConnectionStringName) ?? EtlDatabase.LocalConnectionString);
        builder.Services.AddHealthChecks()
            .AddNpgSql(sp => sp.GetRequiredService<NpgsqlDataSource>(), name: "postgresql", tags: [ReadyTag]);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        return builder;
    }

    /// <summary>The tag of the checks behind <c>/health/ready</c>; MassTransit tags its bus check with it too.</summary>
    public const string ReadyTag = "ready";

    /// <summary>The localhost defaults are for local development only: anywhere else the credentials must be configured.</summary>
    static void RequireCredentialsOutsideDevelopment(WebApplicationBuilder builder)
    {
        if (builder.Environment.IsDevelopment())
            return;
        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(EtlDatabase.ConnectionStringName)))
            missing.Add("ConnectionStrings__Postgres");
        if (string.IsNullOrWhiteSpace(builder.Configuration[$"{RabbitMqOptions.Section}:Password"]))
            missing.Add("RabbitMq__Password");
        if (missing.Count > 0)
            throw new InvalidOperationException(
                $"{string.Join(" and ", missing)} must be configured outside the Development environment (the built-in defaults are for local development only).");
    }

    /// <summary>The logging of every program that serves HTTP, the catalog stand-in included.</summary>
    public static void AddEtlLogging(this WebApplicationBuilder builder, string serviceName)
    {
        // Sink assemblies named, not scanned: a program may run from another project's output folder (tests).
        var readerOptions = new ConfigurationReaderOptions(typeof(ConsoleLoggerConfigurationExtensions).Assembly, typeof(SeqLoggerConfigurationExtensions).Assembly);
        builder.Services.AddSerilog((services, logger) =>
        {
            logger.ReadFrom.Configuration(builder.Configuration, readerOptions)
                .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.EntityFrameworkCore", Serilog.Events.LogEventLevel.Warning)
                .MinimumLevel.Override("MassTransit", Serilog.Events.LogEventLevel.Information)
                .Enrich.FromLogContext()
                .Enrich.WithProperty("Service", serviceName);

            var jsonConsole = builder.Configuration.GetValue<bool?>("Logging:JsonConsole")
                ?? builder.Configuration.GetValue<bool>("DOTNET_RUNNING_IN_CONTAINER");
            if (jsonConsole)
                logger.WriteTo.Console(new RenderedCompactJsonFormatter());
            else
                logger.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Service} {RunId} {ChunkNo} {Message:lj}{NewLine}{Exception}");

            var seqUrl = builder.Configuration["Seq:ServerUrl"];
            if (!string.IsNullOrWhiteSpace(seqUrl))
                logger.WriteTo.Seq(seqUrl, apiKey: builder.Configuration["Seq:ApiKey"]);
        });
    }

    /// <summary><c>/metrics</c>, <c>/health/live</c> (the process answers) and <c>/health/ready</c> (PostgreSQL and RabbitMQ reachable).</summary>
    public static IEndpointRouteBuilder MapDefaultEndpoints(this WebApplication app)
    {
        app.UseSafeErrors();
        app.MapEtlMetrics();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        // PostgreSQL (tag ready) and MassTransit's bus check (tags ready and masstransit: the broker
        // connection and every receive endpoint). The bus reports Degraded while it has lost the broker
        // and reconnects: a service that cannot consume is not ready, so Degraded answers 503 here.
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag) || check.Tags.Contains("masstransit"),
            ResponseWriter = HealthReportWriter.WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        return app;
    }

    /// <summary>Applies the schema migrations before the bus starts consuming (safe with many replicas starting at once).</summary>
    public static async Task MigrateEtlDatabaseAsync(this WebApplication app)
    {
        var dataSource = app.Services.GetRequiredService<NpgsqlDataSource>();
        await DatabaseMigrator.MigrateAsync(dataSource, app.Lifetime.ApplicationStopping);
    }
}
