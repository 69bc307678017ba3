using MassTransit;

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

/// <summary>
/// Sends each published message to the broker twice. A plain (not container-scoped) filter: a scoped
/// one would be resolved from a consume scope that the in-memory outbox has already disposed.
/// </summary>
public sealed class DuplicatePublishFilter : IFilter<PublishContext>
{
    public async Task Send(PublishContext context, IPipe<PublishContext> next)
    {
        await next.Send(context);
        await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("duplicatePublish");
}
