using MassTransit;

namespace SalesEtl.ServiceDefaults;

/// <summary>
/// The defaults every consumer starts from: in-process retries with exponential backoff for
/// transient errors (the message stays unacked meanwhile, so the total stays far below RabbitMQ's
/// 30-minute consumer timeout) and an in-memory outbox, so events are published only after the
/// consumer's work succeeded. Consumers are idempotent, since the outbox is not atomic with the database.
/// </summary>
public abstract class EtlConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    readonly bool useOutbox;

    /// <param name="useOutbox">False for a consumer that must publish progress while it works (the ingestor's chunk events).</param>
    protected EtlConsumerDefinition(int concurrentMessageLimit, bool useOutbox = true)
    {
        ConcurrentMessageLimit = concurrentMessageLimit;
        this.useOutbox = useOutbox;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Exponential(6, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(400));
            retry.Ignore<PermanentStepException>();
        });
        if (useOutbox)
            endpointConfigurator.UseInMemoryOutbox(context);
    }
}

/// <summary>An error that retrying cannot fix (bad input, bad configuration): the step fails at once.</summary>
public sealed class PermanentStepException(string message, Exception? inner = null) : Exception(message, inner);
