using MassTransit;
using Npgsql;

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

    /// <summary>The retry policy of this consumer; override to change it.</summary>
    protected virtual void ConfigureRetry(IRetryConfigurator retry) => EtlRetry.Configure(retry);

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(ConfigureRetry);
        if ((context.GetService(typeof(Microsoft.Extensions.Options.IOptions<FaultInjectionOptions>)) as Microsoft.Extensions.Options.IOptions<FaultInjectionOptions>)?.Value is { TransientFailuresPerMessage: > 0 } faults)
            consumerConfigurator.UseFilter(new TransientFaultInjectionFilter<TConsumer>(faults.TransientFailuresPerMessage));
        if (useOutbox)
            endpointConfigurator.UseInMemoryOutbox(context);
    }
}

public static class EtlRetry
{
    /// <summary>
    /// Up to 8 retries, exponential from about 0.7 s to a 30 s cap (MassTransit adds ±25% jitter):
    /// about 90 s in all, enough for PostgreSQL or RabbitMQ to restart, far below RabbitMQ's
    /// 30-minute consumer timeout. Only transient errors are retried (see <see cref="TransientErrors"/>).
    /// </summary>
    public static void Configure(IRetryConfigurator retry)
    {
        retry.Exponential(8, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500));
        retry.Handle<Exception>(TransientErrors.IsTransient);
    }
}

/// <summary>An error that retrying cannot fix (bad input, bad configuration): the step fails at once.</summary>
public sealed class PermanentStepException(string message, Exception? inner = null) : Exception(message, inner);
