using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SalesEtl.Contracts;

namespace SalesEtl.ServiceDefaults;

public static class EtlBus
{
    /// <summary>MassTransit on RabbitMQ with the conventions every service shares: kebab-case endpoints, run id in logs, marker interfaces kept out of the broker topology.</summary>
    public static WebApplicationBuilder AddEtlBus(this WebApplicationBuilder builder, Action<IBusRegistrationConfigurator> configure)
    {
        builder.Services.AddEtlBus(builder.Configuration, configure);
        return builder;
    }

    public static IServiceCollection AddEtlBus(this IServiceCollection services, IConfiguration configuration, Action<IBusRegistrationConfigurator> configure)
    {
        services.AddOptions<RabbitMqOptions>().Bind(configuration.GetSection(RabbitMqOptions.Section)).ValidateDataAnnotations()
            .Validate(o => string.IsNullOrWhiteSpace(o.TlsCaCertificatePath) || File.Exists(o.TlsCaCertificatePath), "RabbitMq:TlsCaCertificatePath names a file that does not exist.")
            .ValidateOnStart();
        services.AddOptions<FaultInjectionOptions>().Bind(configuration.GetSection(FaultInjectionOptions.Section));
        // Start-up waits until every endpoint is bound, so nothing published right after start is lost.
        services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });
        services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            configure(bus);
            bus.UsingRabbitMq((context, cfg) =>
            {
                var options = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                cfg.ConfigureEtlRabbitMq(options);
                cfg.UseConsumeFilter(typeof(RunLogContextFilter<>), context);
                cfg.UseDuplicatePublishesWhenAsked(configuration, () => context.GetRequiredService<IBus>());
                cfg.ConfigureEndpoints(context);
            });
        });
        return services;
    }

    /// <summary>Host and topology settings, shared by the services, the <c>etl</c> tool and the tests.</summary>
    public static void ConfigureEtlRabbitMq(this IRabbitMqBusFactoryConfigurator cfg, RabbitMqOptions options)
    {
        cfg.Host(options.Host, (ushort)options.Port, options.VirtualHost, h =>
        {
            h.Username(options.Username);
            h.Password(options.Password);
            if (BrokerTls.From(options) is { } tls)
            {
                h.UseSsl(ssl =>
                {
                    ssl.ServerName = tls.ServerName;
                    ssl.Protocol = BrokerTls.Protocols;
                    if (tls.CreateValidator() is { } validator)
                        ssl.CertificateValidationCallback = validator;
                });
            }
        });
        cfg.PrefetchCount = options.PrefetchCount;
        cfg.Publish<IRunMessage>(p => p.Exclude = true);
        cfg.Publish<IChunkMessage>(p => p.Exclude = true);
    }
}
