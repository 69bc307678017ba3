using MassTransit;
using SalesEtl.Contracts;
using SalesEtl.Data.Streaming;
using SalesEtl.ServiceDefaults;

namespace SalesEtl.Ingestor.Streaming;

/// <summary>
/// Puts each batch of sale events into the open window in one transaction. The batch is acked only
/// after that commit, so a crash loses nothing (the broker redelivers) and a redelivery counts nothing
/// twice (event ids are unique in <c>stream_events</c>). Windows are closed by <see cref="StreamWindowService"/>.
/// </summary>
public sealed class SaleEventsConsumer(StreamEventBuffer buffer) : IConsumer<Batch<SaleEventReceived>>
{
    public async Task Consume(ConsumeContext<Batch<SaleEventReceived>> context)
    {
        var events = new List<SaleEventReceived>(context.Message.Length);
        foreach (var item in context.Message)
            events.Add(item.Message);
        var added = await buffer.AddAsync(events, context.CancellationToken);
        StreamMetrics.EventsReceived.Inc(events.Count);
        StreamMetrics.EventsDuplicate.Inc(events.Count - added);
    }
}

public sealed class SaleEventsConsumerDefinition : ConsumerDefinition<SaleEventsConsumer>
{
    readonly StreamOptions options;

    public SaleEventsConsumerDefinition(Microsoft.Extensions.Options.IOptions<StreamOptions> options)
    {
        this.options = options.Value;
        Endpoint(e =>
        {
            e.PrefetchCount = this.options.BatchMaxEvents * (this.options.BatchConcurrency + 1);
            e.ConcurrentMessageLimit = this.options.BatchMaxEvents * this.options.BatchConcurrency;
        });
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<SaleEventsConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        consumerConfigurator.Options<BatchOptions>(batch => batch
            .SetMessageLimit(options.BatchMaxEvents)
            .SetTimeLimit(TimeSpan.FromMilliseconds(options.BatchTimeLimitMs))
            .SetConcurrencyLimit(options.BatchConcurrency));
        // The whole batch is retried together (it is one transaction); the messages stay unacked meanwhile.
        consumerConfigurator.UseMessageRetry(EtlRetry.Configure);
    }
}
