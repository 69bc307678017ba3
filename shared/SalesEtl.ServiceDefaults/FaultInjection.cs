using MassTransit;
using Microsoft.Extensions.Configuration;

namespace SalesEtl.ServiceDefaults;

/// <summary>
/// Section <c>FaultInjection</c>: faults a test can switch on in a real service process to prove
/// that nothing is lost or double-counted. All off by default; never set in production.
/// </summary>
public sealed class FaultInjectionOptions
{
    public const string Section = "FaultInjection";

    /// <summary>Publish every message twice (same message id), as an at-least-once broker may deliver it.</summary>
    public bool DuplicatePublishes { get; set; }

    /// <summary>Fail the first N attempts at every message of every consumer with a transient error (a timeout), so that the retries run.</summary>
    public int TransientFailuresPerMessage { get; set; }

    /// <summary>
    /// The ingestor waits this long after each chunk it staged, so that a test can act while a file is part way in:
    /// a 20,000-row file is otherwise staged in a fraction of a second, faster than a test can see its progress.
    /// </summary>
    public TimeSpan StagedChunkDelay { get; set; }
}

/// <summary>Throws a transient error on the first attempts at a message, in the consumer's own pipe (inside the retry filter), as a failing consumer would.</summary>
public sealed class TransientFaultInjectionFilter<TConsumer>(int failures) : IFilter<ConsumerConsumeContext<TConsumer>>
    where TConsumer : class
{
    public Task Send(ConsumerConsumeContext<TConsumer> context, IPipe<ConsumerConsumeContext<TConsumer>> next) =>
        context.GetRetryAttempt() < failures
            ? throw new TimeoutException($"Injected transient fault (FaultInjection:TransientFailuresPerMessage = {failures}), attempt {context.GetRetryAttempt() + 1}.")
            : next.Send(context);

    public void Probe(ProbeContext context) => context.CreateFilterScope("transientFaultInjection");
}

public static class DuplicatePublishes
{
    /// <summary>
    /// Publishes every message twice when <c>FaultInjection:DuplicatePublishes</c> is on: the services' buses and the
    /// <c>etl</c> tool's alike, so that every message type is delivered twice.
    /// </summary>
    /// <param name="bus">The bus being configured, once it is built: the copy is a publish of its own.</param>
    public static void UseDuplicatePublishesWhenAsked(this IBusFactoryConfigurator cfg, IConfiguration configuration, Func<IPublishEndpoint> bus)
    {
        if (configuration.GetSection(FaultInjectionOptions.Section).Get<FaultInjectionOptions>() is { DuplicatePublishes: true })
            cfg.ConfigurePublish(publish => publish.UseFilter(new DuplicatePublishFilter(bus)));
    }
}

/// <summary>
/// Publishes each message a second time, same message id and headers, as an at-least-once broker may deliver it. The
/// copy is a publish of its own: the transport sends once the publish pipe has run, so running the rest of the pipe
/// twice sent nothing twice. A plain (not container-scoped) filter: a scoped one would be resolved from a consume
/// scope that the in-memory outbox has already disposed.
/// </summary>
public sealed class DuplicatePublishFilter(Func<IPublishEndpoint> bus) : IFilter<PublishContext>
{
    // Set while the copy is published: its own pass through this filter (which runs before the copy's pipe could
    // mark it) must not copy it again.
    static readonly AsyncLocal<bool> Copying = new();

    public async Task Send(PublishContext context, IPipe<PublishContext> next)
    {
        await next.Send(context);
        if (Copying.Value)
            return;

        // The context is a SendContext<T> of the message's type; Message is declared there (not on PublishContext<T>).
        var typed = context.GetType().GetInterfaces().First(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(SendContext<>));
        var messageType = typed.GetGenericArguments()[0];
        var message = typed.GetProperty(nameof(SendContext<object>.Message))!.GetValue(context)!;
        var original = context.MessageId;
        Copying.Value = true;
        await bus().Publish(message, messageType, Pipe.Execute<PublishContext>(copy =>
        {
            copy.MessageId = original;
            copy.CorrelationId = context.CorrelationId;
            copy.ConversationId = context.ConversationId;
            copy.InitiatorId = context.InitiatorId;
            foreach (var (key, value) in context.Headers.GetAll())
                copy.Headers.Set(key, value);
        }), context.CancellationToken);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("duplicatePublish");
}
