using SalesEtl.Data.Runs;

namespace SalesEtl.EndToEnd.Tests.Faults;

public sealed partial class Surviving_crashes_and_a_failing_product_api
{
    /// <summary>
    /// Records of a run that are its inputs, not its results, and stay after a cancel: the run itself (which says it was
    /// cancelled), what the file's header looked like and the product snapshot it was to be priced with.
    /// </summary>
    static readonly string[] KeptAfterCancel = ["batch_runs", "run_ingest_info", "product_snapshots"];

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
        var started = DateTimeOffset.UtcNow;
        var run = system.StartRun();
        var inFlight = await system.WaitForRunAsync(started, r => r.TransformedChunks.Count >= 1 && r.TotalChunks is null,
            "chunks transformed while the ingestor is still reading the file");
        system.Topology.Kill("ingestor");
        var runId = inFlight.CorrelationId.ToString();
        var written = await RowsOfRunAsync(inFlight.CorrelationId);
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

        await WaitForQueuesToDrainAsync();
        output.WriteLine($"Cancelled and drained {(DateTimeOffset.UtcNow - cancelledAt).TotalSeconds:0.0} s after the cancel");
        var left = await RowsOfRunAsync(inFlight.CorrelationId);
        Assert.True(left.Count == 0, $"Rows of the cancelled run left: {string.Join(", ", left.Select(t => $"{t.Key} {t.Value}"))}");
        Assert.Empty(await system.VirtualHost.NonEmptyErrorQueuesAsync());
        Assert.Equal(RunStates.Cancelled, (await system.LoadRunAsync(inFlight.CorrelationId)).CurrentState);

        var again = await system.AssertCompletedLikeAnUndisturbedRunAsync(system.StartRun());
        FaultTable.Record(output, again with { Scenario = "etl cancel mid-run (purged), then the same file again", FaultAt = cancelledAt, OutcomePrefix = "Cancelled, no rows left; the run again " });
    }

    /// <summary>Rows for the run in every table with a <c>run_id</c> column but <see cref="KeptAfterCancel"/>, by table (the non-empty ones).</summary>
    async Task<Dictionary<string, long>> RowsOfRunAsync(Guid runId)
    {
        var tables = new List<string>();
        await using (var command = system.Database.DataSource.CreateCommand(
                         "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'run_id' AND table_name NOT IN (SELECT table_name FROM information_schema.views) ORDER BY 1"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                tables.Add(reader.GetString(0));
        }
        Assert.Contains("staged_chunks", tables);
        var left = new Dictionary<string, long>();
        foreach (var table in tables.Except(KeptAfterCancel))
        {
            var count = await CountAsync(table, runId);
            if (count > 0)
                left[table] = count;
        }
        return left;
    }

    /// <summary>Waits until no queue holds a message for longer than the management API's figures lag (5 s).</summary>
    async Task WaitForQueuesToDrainAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        var emptySince = (DateTime?)null;
        while (DateTime.UtcNow < deadline)
        {
            if (await system.VirtualHost.QueuedMessagesAsync() > 0)
                emptySince = null;
            else if ((emptySince ??= DateTime.UtcNow) < DateTime.UtcNow.AddSeconds(-7))
                return;
            await Task.Delay(500);
        }
        throw new TimeoutException("The queues never drained after the cancel.");
    }
}
