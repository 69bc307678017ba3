using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Serilog;
using Serilog.Settings.Configuration;

namespace SalesEtl.Catalog;

public static class CatalogHosting
{
    /// <summary>Serilog to the console; levels and sinks can be changed from the <c>Serilog</c> configuration section.</summary>
    public static WebApplicationBuilder AddCatalogLogging(this WebApplicationBuilder builder)
    {
        builder.Services.AddSerilog(logger => logger
            // Assemblies named, not scanned: the catalog may run from another project's output folder (tests).
            .ReadFrom.Configuration(builder.Configuration, new ConfigurationReaderOptions(typeof(ConsoleLoggerConfigurationExtensions).Assembly))
            .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Service", "catalog")
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Service} {Message:lj}{NewLine}{Exception}"));
        return builder;
    }

    /// <summary><c>/health/live</c>: the process answers; <c>/health/ready</c>: the products file is loaded.</summary>
    public static WebApplication MapCatalogHealthEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready");
        return app;
    }
}
