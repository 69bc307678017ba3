using System.Diagnostics;
using System.Globalization;
using System.Text;
using SalesEtl.Contracts;
using SalesEtl.Streaming;

namespace SalesEtl.Streaming.Tests;

/// <summary>
/// Issue 8, acceptance 1: 50,000 messy events with late ones and duplicates, cut into windows (each a run
/// through the saga, transformer and metrics-loader), add up to one batch run of all the same events written
/// as a CSV (cross-window duplicates included); no transaction is counted in two windows; no event is lost.
/// </summary>
[Collection(StreamingCollection.Name)]
public sealed class Cutting_a_stream_into_windows(StreamingSystemFixture system, Xunit.Abstractions.ITestOutputHelper output)
{
    const int Events = 50_000;
    const double Rate = 5000;

    /// <summary>An event's transaction id as the windows claim it (SPEC §1 trims ASCII whitespace only).</summary>
    const string TrimmedId = "btrim(e.transaction_id, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13))";

    [Fact]
    public async Task Should_add_up_over_the_windows_to_one_batch_run_of_the_same_events()
    {
        await system.ResetStreamAsync();
        var watch = Stopwatch.StartNew();
        await system.StartStreamAsync(Rate, seconds: 120, Events);
        var status = await WaitForSimulatorAsync(TimeSpan.FromSeconds(90));
        output.WriteLine($"simulator: {status.Published:N0} events published in {status.ElapsedSeconds:0.0} s ({status.AchievedRate:0}/s), {status.Late:N0} late, {status.Duplicates:N0} duplicates");
        Assert.True(status.Late > 0 && status.Duplicates > 0, "The stream must hold late events and duplicates.");

        var windowRuns = await WaitForWindowsAsync(TimeSpan.FromSeconds(150));
        output.WriteLine($"{windowRuns.Count} windows, final after {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.True(windowRuns.Count >= 5, $"Expected the stream cut into several windows, got {windowRuns.Count}.");

        // What was sent, rebuilt independently from the plan (same generator, same seed).
        var sent = new SaleEventPlan(StreamingSystemFixture.PlanOptions(Events, Rate)).SourceEvents().ToDictionary(e => e.EventId);
        Assert.Equal(Events, sent.Count);

        // No event lost, none invented: every distinct event id is in exactly one window.
        var assigned = await ReadAssignmentsAsync();
        Assert.Equal(Events, assigned.Count);
        Assert.All(assigned, a => Assert.True(sent.ContainsKey(a.EventId), $"Unknown event {a.EventId}"));
        Assert.Equal(0L, await system.ScalarAsync<long>("SELECT count(*) FROM stream_events WHERE window_no IS NULL"));

        // The stream really was disordered across windows: some event arrived in a later window than an event that followed it at the source.
        var lateAcrossWindows = assigned.GroupBy(a => a.WindowNo).OrderBy(g => g.Key)
            .Zip(assigned.GroupBy(a => a.WindowNo).OrderBy(g => g.Key).Skip(1), (earlier, later) => later.Count(e => e.SequenceNo < earlier.Max(x => x.SequenceNo)))
            .Sum();
        var droppedAcrossWindows = assigned.Count(a => a.Outcome == "duplicate_transaction");
        output.WriteLine($"{lateAcrossWindows:N0} events arrived in a later window than events after them; {droppedAcrossWindows:N0} dropped: their transaction id was counted by an earlier window");
        Assert.True(lateAcrossWindows > 0, "Late events should cross window boundaries.");
        Assert.True(droppedAcrossWindows > 0, "Duplicates should cross window boundaries.");

        // A later window drops an id only when an earlier window counted it.
        Assert.Equal(0L, await system.ScalarAsync<long>($"""
            SELECT count(*) FROM stream_events e
            WHERE e.outcome = 'duplicate_transaction'
              AND NOT EXISTS (SELECT 1 FROM stream_seen_transactions s WHERE s.transaction_id = {TrimmedId} AND s.window_no < e.window_no)
            """));

        var leftByRejects = await system.ScalarAsync<long>($"""
            SELECT count(*) FROM stream_seen_transactions s
            WHERE EXISTS (SELECT 1 FROM stream_events e WHERE e.window_no < s.window_no AND {TrimmedId} = s.transaction_id)
            """);
        output.WriteLine($"{leftByRejects:N0} transaction id(s) counted by a later window than a rejected row of the id");

        // All the events as one CSV, run as one batch. In arrival order (window, then arrival in the window): the stream's
        // "first arrival wins" is then the file's "first occurrence wins"; publish order would not do, since two events
        // of one id may arrive in another order than they were sent. Re-sent copies of an event (same event id) are left out.
        var csv = Path.Combine(system.WorkFolder, $"stream-{Guid.NewGuid():N}.csv");
        await WriteCsvAsync(csv, assigned.Select(a => sent[a.EventId]));
        var run = await system.Topology.RunEtlAsync("run", csv, "--as-of", StreamingSystemFixture.AsOf.ToString("O", CultureInfo.InvariantCulture),
            "--chunk-size", "10000", "--timeout", "240");
        Assert.True(run.ExitCode == 0, $"etl run: {run}\n{system.Logs}");
        var batchRun = Guid.Parse(run.FirstLine);
        output.WriteLine($"batch run of the same events done after {watch.Elapsed.TotalSeconds:0.0} s");

        var windows = string.Join(",", windowRuns.Select(r => $"'{r}'"));
        Assert.Equal(
            await RowsAsync($"SELECT product_id, sum(transactions), sum(units_sold), sum(gross_revenue), sum(returns_value), sum(net_revenue) FROM product_revenue WHERE run_id = '{batchRun}' GROUP BY product_id ORDER BY product_id"),
            await RowsAsync($"SELECT product_id, sum(transactions), sum(units_sold), sum(gross_revenue), sum(returns_value), sum(net_revenue) FROM product_revenue WHERE run_id IN ({windows}) GROUP BY product_id ORDER BY product_id"));
        Assert.Equal(
            await RowsAsync($"SELECT channel, sum(transactions), sum(units_sold), sum(net_revenue) FROM channel_performance WHERE run_id = '{batchRun}' GROUP BY channel ORDER BY channel"),
            await RowsAsync($"SELECT channel, sum(transactions), sum(units_sold), sum(net_revenue) FROM channel_performance WHERE run_id IN ({windows}) GROUP BY channel ORDER BY channel"));
        const string channelMoney = "SELECT sales_channel, sum(total_price) FILTER (WHERE quantity > 0), -coalesce(sum(total_price) FILTER (WHERE quantity < 0), 0) FROM fact_sales WHERE run_id IN ({0}) GROUP BY sales_channel ORDER BY sales_channel";
        Assert.Equal(await RowsAsync(string.Format(CultureInfo.InvariantCulture, channelMoney, $"'{batchRun}'")), await RowsAsync(string.Format(CultureInfo.InvariantCulture, channelMoney, windows)));

        Assert.Equal(0L, await system.ScalarAsync<long>(
            $"SELECT count(*) FROM (SELECT transaction_id FROM fact_sales WHERE run_id IN ({windows}) GROUP BY transaction_id HAVING count(DISTINCT run_id) > 1) t"));
        Assert.Equal(await system.ScalarAsync<long>($"SELECT count(*) FROM fact_sales WHERE run_id = '{batchRun}'"),
            await system.ScalarAsync<long>($"SELECT count(*) FROM fact_sales WHERE run_id IN ({windows})"));
    }

    async Task<SimulatorStatus> WaitForSimulatorAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await system.SimulatorStatusAsync();
            if (status.State != "running")
            {
                Assert.True(status.State == "finished", $"The simulator ended {status.State}: {status.Error}\n{system.Simulator.Log}");
                return status;
            }
            Assert.True(DateTime.UtcNow < deadline, $"The simulator did not finish within {timeout.TotalSeconds:0} s: {status}");
            await Task.Delay(250);
        }
    }

    /// <summary>Waits until every event is in a closed window and every window's run is final; returns the runs.</summary>
    async Task<List<Guid>> WaitForWindowsAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var distinct = await system.ScalarAsync<long>("SELECT count(*) FROM stream_events");
            var open = await system.ScalarAsync<long>("SELECT count(*) FROM stream_events WHERE window_no IS NULL");
            var pending = await system.WindowRunsInFlightAsync();
            if (distinct == Events && open == 0 && pending == 0)
                break;
            Assert.True(DateTime.UtcNow < deadline, $"Windows not done within {timeout.TotalSeconds:0} s: {distinct} events, {open} open, {pending} runs pending\n{system.Logs}");
            await Task.Delay(500);
        }
        var failed = await system.WindowRunsNotSucceededAsync();
        Assert.True(failed == 0, $"{failed} window run(s) did not succeed\n{system.Logs}");
        var runs = new List<Guid>();
        await using var command = system.Database.DataSource.CreateCommand("SELECT run_id FROM stream_windows ORDER BY window_no");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            runs.Add(reader.GetGuid(0));
        return runs;
    }

    sealed record Assignment(Guid EventId, long SequenceNo, long WindowNo, string Outcome);

    async Task<List<Assignment>> ReadAssignmentsAsync()
    {
        var rows = new List<Assignment>();
        await using var command = system.Database.DataSource.CreateCommand("SELECT event_id, sequence_no, window_no, outcome FROM stream_events ORDER BY window_no, arrival_no");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(new Assignment(reader.GetGuid(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3)));
        return rows;
    }

    async Task<List<string>> RowsAsync(string sql)
    {
        var rows = new List<string>();
        await using var command = system.Database.DataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        return rows;
    }

    /// <summary>Every field quoted (SPEC §1 reads a quoted field as written); a malformed event stays malformed as a one-field record.</summary>
    static async Task WriteCsvAsync(string path, IEnumerable<SaleEventReceived> events)
    {
        await using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        await writer.WriteAsync("transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel\n");
        foreach (var e in events)
        {
            var fields = e.Malformed ? [Quote(e.RawText)] : new[] { e.TransactionId, e.CustomerId, e.ProductId, e.SaleDate, e.Quantity, e.TotalPrice, e.SalesChannel }.Select(Quote);
            await writer.WriteAsync(string.Join(',', fields));
            await writer.WriteAsync('\n');
        }
    }

    static string Quote(string? field) => field is null ? "" : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
