namespace SalesEtl.EndToEnd.Tests.Faults;

/// <summary>Every service publishes every message twice (same message id), as an at-least-once broker may deliver it.</summary>
public sealed class DuplicateDeliveryFixture : FaultScenarioFixture
{
    protected override IReadOnlyDictionary<string, string> Environment { get; } =
        new Dictionary<string, string>(FastStallDetection) { ["FaultInjection__DuplicatePublishes"] = "true" };

    // A warm-up, so that the scenario's time is a warm run's; not a baseline, as every run here is disturbed.
    protected override int StartUpRuns => 1;
}

public sealed class Surviving_duplicate_deliveries(DuplicateDeliveryFixture system, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<DuplicateDeliveryFixture>
{
    [Fact]
    public async Task Should_count_nothing_twice_when_every_message_is_delivered_twice()
    {
        var started = DateTimeOffset.UtcNow;
        await system.AssertRecoveredAsync(system.StartRun(), "every message published twice", started, output);
    }
}
