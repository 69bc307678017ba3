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
}

/// <summary>Sends each published message to the broker twice.</summary>
public sealed class DuplicatePublishFilter<T> : IFilter<PublishContext<T>>
    where T : class
{
    public async Task Send(PublishContext<T> context, IPipe<PublishContext<T>> next)
    {
        await next.Send(context);
        await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("duplicatePublish");
}
