using MassTransit;
using SalesEtl.Operations.DeadLetters;
using SalesEtl.ServiceDefaults;
using SalesEtl.TestSupport;

namespace SalesEtl.IntegrationTests.Broker;

public sealed record TlsProbe(Guid Id);

/// <summary>
/// <c>RabbitMq__UseTls</c>: the bus every service and the <c>etl</c> tool build (<see cref="EtlBus.ConfigureEtlRabbitMq"/>)
/// and the dead-letter commands connect over TLS, trust a private CA when one is configured, and refuse a broker whose
/// certificate they cannot trust or whose name does not match — with an error that says so.
/// </summary>
public sealed class Connecting_to_the_broker_over_tls : IAsyncLifetime
{
    TestVirtualHost vhost = null!;
    TlsTerminatingProxy proxy = null!;

    public async Task InitializeAsync()
    {
        vhost = await TestVirtualHost.CreateAsync("tls");
        proxy = new TlsTerminatingProxy(vhost.Options.Host, vhost.Options.Port);
    }

    public async Task DisposeAsync()
    {
        await proxy.DisposeAsync();
        await vhost.DisposeAsync();
    }

    RabbitMqOptions OverTls(string? caCertificatePath, string? serverName = null)
    {
        var options = vhost.Options;
        options.Host = "localhost";
        options.Port = proxy.Port;
        options.UseTls = true;
        options.TlsServerName = serverName;
        options.TlsCaCertificatePath = caCertificatePath;
        return options;
    }

    [Fact]
    public async Task Should_publish_and_consume_over_tls_trusting_the_configured_ca()
    {
        var received = new TaskCompletionSource<TlsProbe>(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = OverTls(proxy.CaCertificatePath);
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.ConfigureEtlRabbitMq(options);
            cfg.ReceiveEndpoint("tls-probe", e => e.Handler<TlsProbe>(context =>
            {
                received.TrySetResult(context.Message);
                return Task.CompletedTask;
            }));
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await bus.StartAsync(timeout.Token);
        try
        {
            var probe = new TlsProbe(Guid.NewGuid());
            await bus.Publish(probe, timeout.Token);
            Assert.Equal(probe, await received.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
        Assert.True(proxy.Sessions > 0, "the bus did not connect through the TLS endpoint");
    }

    [Fact]
    public async Task Should_list_dead_letters_over_tls_and_refuse_an_untrusted_or_misnamed_broker()
    {
        // Asking for one queue's depth needs AMQP; the broker answering "no such queue" proves the TLS session worked.
        await using (var trusted = DeadLetters(OverTls(proxy.CaCertificatePath)))
        {
            var answered = await Assert.ThrowsAsync<DeadLetterException>(() => trusted.GetQueuesAsync("tls-probe", CancellationToken.None));
            Assert.Contains("There is no queue 'tls-probe_error'", answered.Message, StringComparison.Ordinal);
        }
        Assert.True(proxy.Sessions > 0, "the dead-letter tool did not connect through the TLS endpoint");

        await using (var systemTrustOnly = DeadLetters(OverTls(caCertificatePath: null)))
        {
            var refused = await Assert.ThrowsAsync<DeadLetterException>(() => systemTrustOnly.GetQueuesAsync("tls-probe", CancellationToken.None));
            Assert.Contains("TLS to RabbitMQ", refused.Message, StringComparison.Ordinal);
        }

        await using (var misnamed = DeadLetters(OverTls(proxy.CaCertificatePath, serverName: "broker.example.com")))
        {
            var refused = await Assert.ThrowsAsync<DeadLetterException>(() => misnamed.GetQueuesAsync("tls-probe", CancellationToken.None));
            Assert.Contains("TLS to RabbitMQ", refused.Message, StringComparison.Ordinal);
        }
    }

    static DeadLetterQueues DeadLetters(RabbitMqOptions options) =>
        new(new BrokerEndpoint(options.Host, options.Port, options.VirtualHost, options.Username, options.Password, TestInfrastructure.RabbitMqManagement, BrokerTls.From(options)));
}
