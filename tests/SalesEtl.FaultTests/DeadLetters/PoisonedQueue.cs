using System.Collections.Concurrent;
using MassTransit;
using SalesEtl.Operations.DeadLetters;
using SalesEtl.TestSupport;

namespace SalesEtl.FaultTests.DeadLetters;

/// <summary>A test message of some run; <see cref="Sequence"/> tells the messages apart.</summary>
public sealed record PoisonMessage(Guid RunId, int Sequence);

/// <summary>Throws while <see cref="PoisonedQueue.Failing"/> is set (no retry: MassTransit moves the message to <c>_error</c>), records the message otherwise.</summary>
public sealed class PoisonConsumer(PoisonedQueue queue) : IConsumer<PoisonMessage>
{
    public const string FaultText = "poisoned on purpose";

    public Task Consume(ConsumeContext<PoisonMessage> context)
    {
        if (queue.Failing)
            throw new InvalidOperationException($"{FaultText}: run {context.Message.RunId} #{context.Message.Sequence}");
        queue.Consumed.Enqueue(new ConsumedPoison(context.Message, context.MessageId, context.Headers.GetAll().Select(h => h.Key).ToList(), context.Headers.Get<string>(PoisonedQueue.MarkerHeader)));
        return Task.CompletedTask;
    }
}

public sealed record ConsumedPoison(PoisonMessage Message, Guid? MessageId, IReadOnlyList<string> HeaderNames, string? Marker);

/// <summary>
/// A virtual host of its own with one MassTransit receive endpoint whose consumer throws, so that MassTransit
/// itself dead-letters the messages published to it, the way it does in the services.
/// </summary>
public sealed class PoisonedQueue : IAsyncDisposable
{
    public const string Endpoint = "poison-probe";
    public const string ErrorQueue = Endpoint + "_error";
    public const string MarkerHeader = "X-Test-Marker";

    readonly IBusControl bus;
    public TestVirtualHost VirtualHost { get; }
    public volatile bool Failing = true;
    public ConcurrentQueue<ConsumedPoison> Consumed { get; } = new();
    public List<(PoisonMessage Message, Guid MessageId)> Published { get; } = [];

    PoisonedQueue(TestVirtualHost vhost)
    {
        VirtualHost = vhost;
        var options = vhost.Options;
        bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(options.Host, (ushort)options.Port, options.VirtualHost, h =>
            {
                h.Username(options.Username);
                h.Password(options.Password);
            });
            cfg.ReceiveEndpoint(Endpoint, e =>
            {
                e.ConcurrentMessageLimit = 1; // the error queue then keeps the publish order
                e.Consumer(() => new PoisonConsumer(this));
            });
        });
    }

    public BrokerEndpoint Broker => VirtualHost.Broker;

    /// <summary>Publishes one message per run id given, in order, and waits until every one is in the error queue.</summary>
    public static async Task<PoisonedQueue> CreateAsync(params Guid[] runs)
    {
        var vhost = await TestVirtualHost.CreateAsync("dlq");
        var queue = new PoisonedQueue(vhost);
        try
        {
            await queue.bus.StartAsync();
            for (var i = 0; i < runs.Length; i++)
            {
                var message = new PoisonMessage(runs[i], i + 1);
                var messageId = NewId.NextGuid();
                await queue.bus.Publish(message, context =>
                {
                    context.MessageId = messageId;
                    context.Headers.Set(MarkerHeader, $"marker-{i + 1}");
                });
                queue.Published.Add((message, messageId));
            }
            await queue.WaitForErrorQueueDepthAsync(runs.Length);
        }
        catch
        {
            await queue.DisposeAsync();
            throw;
        }
        return queue;
    }

    public async Task WaitForErrorQueueDepthAsync(long depth)
    {
        await using var deadLetters = new DeadLetterQueues(Broker);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        long last = -1;
        while (DateTime.UtcNow < deadline)
        {
            var queues = await deadLetters.GetQueuesAsync(null, CancellationToken.None);
            last = queues.SingleOrDefault(q => q.Name == ErrorQueue)?.Depth ?? -1;
            if (last == depth)
                return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"{ErrorQueue} holds {last} messages, not {depth}, after 30 s.");
    }

    public async Task WaitForConsumedAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Consumed.Count < count && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.True(Consumed.Count >= count, $"{Consumed.Count} of {count} redriven messages consumed within 30 s.");
    }

    public async ValueTask DisposeAsync()
    {
        await bus.StopAsync(CancellationToken.None);
        await VirtualHost.DisposeAsync();
    }
}
