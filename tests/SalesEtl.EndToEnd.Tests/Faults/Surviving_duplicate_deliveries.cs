using System.Net.Http.Json;
using SalesEtl.Data.Runs;

namespace SalesEtl.EndToEnd.Tests.Faults;

/// <summary>
/// Every service, and the <c>etl</c> tool, publishes every message twice (same message id), as an at-least-once broker
/// may deliver it.
/// </summary>
public sealed class DuplicateDeliveryFixture : FaultScenarioFixture
{
    protected override IReadOnlyDictionary<string, string> Environment { get; } =
        new Dictionary<string, string>(FastStallDetection)
        {
            ["FaultInjection__DuplicatePublishes"] = "true",
            // The ingestor paced (50 ms a chunk), so that a run is still reading its file when the cancel test stops it.
            ["FaultInjection__StagedChunkDelay"] = "00:00:00.050",
        };

    // A warm-up, so that the scenario's time is a warm run's; not a baseline, as every run here is disturbed.
    protected override int StartUpRuns => 1;
}

public sealed class Surviving_duplicate_deliveries(DuplicateDeliveryFixture system, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<DuplicateDeliveryFixture>
{
    [Fact]
    public async Task Should_count_nothing_twice_when_every_message_is_delivered_twice()
    {
        await using var starts = await MessageSpy.BindAsync(system.VirtualHost, "SalesEtl.Contracts:StartBatchRun");
        await using var stagedChunks = await MessageSpy.BindAsync(system.VirtualHost, "SalesEtl.Contracts:SalesChunkStaged");
        var started = DateTimeOffset.UtcNow;

        await system.AssertRecoveredAsync(system.StartRun(), "every message published twice", started, output);

        await AssertDeliveredTwiceAsync(starts, "StartBatchRun");
        // A service's events too: every one of them reached the broker twice.
        var chunkEvents = await stagedChunks.TakeMessageIdsAsync();
        Assert.True(chunkEvents.Count >= 2 * FaultScenarioFixture.Rows / FaultScenarioFixture.ChunkSize, $"{chunkEvents.Count} SalesChunkStaged copies");
        Assert.All(chunkEvents.CountBy(id => id), copies => Assert.Equal(2, copies.Value));
        Assert.Equal(1L, await system.Database.ScalarAsync<long>($"SELECT count(*) FROM batch_runs WHERE submitted_at > '{started:O}'"));
    }

    [Fact]
    public async Task Should_resume_a_failed_run_once_when_its_retry_is_delivered_twice()
    {
        // The product API refuses every request (400, not retried): the run fails at the product sync.
        using var catalog = new HttpClient { BaseAddress = system.Topology.Process("catalog").BaseAddress };
        using (var faults = await catalog.PostAsJsonAsync("/faults", new { failNext = 1_000, statusCode = 400 }))
            faults.EnsureSuccessStatusCode();
        var started = DateTimeOffset.UtcNow;
        var failed = await system.StartRun();
        Assert.True(failed.ExitCode == 1, $"etl run: {failed}\n{system.Topology.Logs}");
        var runId = Guid.Parse(failed.FirstLine);
        // Its ingest goes on after the failure; the retry is to resume the product sync only.
        await system.WaitForRunAsync(started, r => r.TotalChunks is { } total && r.StagedChunks.Count == total, "the failed run's file to be staged");
        using (await catalog.DeleteAsync(new Uri("/faults", UriKind.Relative)))
        {
        }

        await using var retries = await MessageSpy.BindAsync(system.VirtualHost, "SalesEtl.Contracts:RetryBatchRun");
        await system.AssertCompletedLikeAnUndisturbedRunAsync(system.Topology.RunEtlAsync(["retry", runId.ToString(), "--timeout", "240"], TimeSpan.FromMinutes(5)));

        await AssertDeliveredTwiceAsync(retries, "RetryBatchRun");
        Assert.Equal(1, await system.Database.ScalarAsync<int>($"SELECT retries FROM batch_runs WHERE run_id = '{runId}'"));
    }

    [Fact]
    public async Task Should_cancel_a_run_once_leaving_none_of_its_results_when_its_cancel_is_delivered_twice()
    {
        var (run, inFlight) = await system.StartRunAndStopItsIngestorMidFileAsync();

        await using var cancels = await MessageSpy.BindAsync(system.VirtualHost, "SalesEtl.Contracts:CancelBatchRun");
        var cancel = await system.Topology.RunEtlAsync("cancel", inFlight.CorrelationId.ToString());
        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        await system.Topology.RestartAsync("ingestor");
        var result = await run;
        Assert.True(result.ExitCode == 1, $"etl run of a cancelled run: {result}");

        await AssertDeliveredTwiceAsync(cancels, "CancelBatchRun");
        await system.WaitForQueuesToDrainAsync();
        var cancelled = await system.LoadRunAsync(inFlight.CorrelationId);
        Assert.Equal(RunStates.Cancelled, cancelled.CurrentState);
        var left = await system.RowsOfRunAsync(inFlight.CorrelationId);
        Assert.True(left.Count == 0, $"Rows of the cancelled run left: {string.Join(", ", left.Select(t => $"{t.Key} {t.Value}"))}");
        Assert.Empty(await system.VirtualHost.NonEmptyErrorQueuesAsync());
    }

    /// <summary>The command reached the broker twice, both copies with one message id: a duplicate, not a second command.</summary>
    static async Task AssertDeliveredTwiceAsync(MessageSpy spy, string messageType)
    {
        var ids = await spy.TakeMessageIdsAsync();
        Assert.True(ids.Count == 2 && ids[0] == ids[1], $"{messageType} copies routed: {ids.Count} ({string.Join(", ", ids)})");
    }
}
