using SalesEtl.Data.Runs;

namespace SalesEtl.EndToEnd.Tests.Faults;

public sealed partial class Surviving_crashes_and_a_failing_product_api
{
    /// <summary>
    /// <c>etl cancel</c> while the ingestor is part way through the file and chunks are being transformed: the run ends
    /// Cancelled, none of its rows stays in any table once the messages in flight have drained (late chunks and the
    /// file's ingest command redelivered after the cancel included), and the same file run again afterwards ends like an
    /// undisturbed run. The ingestor is killed part way through the file, so that the run is still reading it when the
    /// tool's cancel reaches it (the tool takes seconds to start on a loaded machine); restarted after the cancel, it
    /// gets the ingest command again.
    /// </summary>
    [Fact]
    public async Task Should_cancel_a_run_in_flight_leave_none_of_its_results_and_not_disturb_a_later_run()
    {
        var (run, inFlight) = await system.StartRunAndStopItsIngestorMidFileAsync();
        var runId = inFlight.CorrelationId.ToString();
        var written = await system.RowsOfRunAsync(inFlight.CorrelationId);
        output.WriteLine($"Rows of the run before the cancel: {string.Join(", ", written.Select(t => $"{t.Key} {t.Value}"))}");
        Assert.Contains("staged_chunks", written.Keys);
        Assert.Contains("transformed_sales", written.Keys);

        var cancelledAt = DateTimeOffset.UtcNow;
        var cancel = await system.Topology.RunEtlAsync("cancel", runId);
        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        await system.Topology.RestartAsync("ingestor");
        var result = await run;
        Assert.True(result.ExitCode == 1, $"etl run of a cancelled run: {result}");
        Assert.Equal(RunStates.Cancelled, (await system.LoadRunAsync(inFlight.CorrelationId)).CurrentState);

        await system.WaitForQueuesToDrainAsync();
        output.WriteLine($"Cancelled and drained {(DateTimeOffset.UtcNow - cancelledAt).TotalSeconds:0.0} s after the cancel");
        var left = await system.RowsOfRunAsync(inFlight.CorrelationId);
        Assert.True(left.Count == 0, $"Rows of the cancelled run left: {string.Join(", ", left.Select(t => $"{t.Key} {t.Value}"))}");
        Assert.Empty(await system.VirtualHost.NonEmptyErrorQueuesAsync());
        Assert.Equal(RunStates.Cancelled, (await system.LoadRunAsync(inFlight.CorrelationId)).CurrentState);

        var again = await system.AssertCompletedLikeAnUndisturbedRunAsync(system.StartRun());
        FaultTable.Record(output, again with { Scenario = "etl cancel mid-run (purged), then the same file again", FaultAt = cancelledAt, OutcomePrefix = "Cancelled, no rows left; the run again " });
    }
}
