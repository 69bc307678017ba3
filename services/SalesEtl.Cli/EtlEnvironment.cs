using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;
using SalesEtl.Data;
using SalesEtl.Operations.DeadLetters;
using SalesEtl.ServiceDefaults;

namespace SalesEtl.Cli;

/// <summary>Connection settings from environment variables (the same keys as the services), with localhost defaults.</summary>
public sealed class EtlEnvironment : IAsyncDisposable
{
    readonly IConfiguration configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
    NpgsqlDataSource? dataSource;

    public NpgsqlDataSource DataSource => dataSource ??= new NpgsqlDataSourceBuilder(
        configuration.GetConnectionString(EtlDatabase.ConnectionStringName) ?? EtlDatabase.LocalConnectionString).Build();

    public RabbitMqOptions RabbitMq
    {
        get
        {
            var options = new RabbitMqOptions();
            configuration.GetSection(RabbitMqOptions.Section).Bind(options);
            return options;
        }
    }

    /// <summary>The broker for operator tools: AMQP plus the management API (<c>RabbitMq__ManagementUrl</c>).</summary>
    public BrokerEndpoint Broker
    {
        get
        {
            var options = RabbitMq;
            if (!Uri.TryCreate(options.ManagementUrl, UriKind.Absolute, out var managementUrl))
                throw new UsageException($"RabbitMq__ManagementUrl '{options.ManagementUrl}' is not an absolute URL.");
            return new BrokerEndpoint(options.Host, options.Port, options.VirtualHost, options.Username, options.Password, managementUrl, BrokerTls.From(options));
        }
    }

    /// <summary>
    /// The services' input policy when <c>Inputs__AllowedRoots</c> is set here too, so that a path the ingestor would refuse
    /// starts no run; null when not set (the ingestor still checks).
    /// </summary>
    public InputPathPolicy? InputPaths
    {
        get
        {
            var options = new InputOptions();
            configuration.GetSection(InputOptions.Section).Bind(options);
            return options.AllowedRoots.Count == 0 ? null : new InputPathPolicy(Options.Create(options));
        }
    }

    /// <summary>The product API a run uses when <c>--products-url</c> is not given (the product-sync default applies when null).</summary>
    public string? DefaultProductsUrl => configuration["Etl:ProductsUrl"];

    public async Task PublishAsync<T>(T message, CancellationToken cancellationToken)
        where T : class
    {
        var options = RabbitMq;
        IBusControl? bus = null;
        bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.ConfigureEtlRabbitMq(options);
            cfg.UseDuplicatePublishesWhenAsked(configuration, () => bus!);
        });
        await bus.StartAsync(cancellationToken);
        try
        {
            await bus.Publish(message, cancellationToken);
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
    }

    public EtlDbContext CreateDbContext() => EtlDatabase.CreateContext(DataSource);

    public async ValueTask DisposeAsync()
    {
        if (dataSource is not null)
            await dataSource.DisposeAsync();
    }
}
