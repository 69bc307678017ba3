using System.Diagnostics;
using SalesEtl.SampleData;

namespace SalesEtl.Streaming.Tests;

/// <summary>
/// Issue 8, acceptance 2: a file dropped into the inbox starts exactly one run, also when the watcher (the
/// ingestor) is killed and restarted while the run reads the file; the same bytes dropped again start none.
/// </summary>
[Collection(StreamingCollection.Name)]
public sealed class Dropping_files_into_the_inbox(StreamingSystemFixture system, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Should_start_one_run_per_file_content_across_a_watcher_restart()
    {
        var watch = Stopwatch.StartNew();
        var source = Path.Combine(system.WorkFolder, "inbox-source");
        var (salesPath, _) = new SalesDataGenerator(new SampleDataOptions { Rows = 30_000, Seed = 77, AsOf = StreamingSystemFixture.AsOf }).WriteTo(source);
        var bytes = await File.ReadAllBytesAsync(salesPath);

        // Written beside the inbox, then moved in: the watcher never sees half a file (it waits for a settled size anyway).
        var dropped = await DropAsync("daily-sales.csv", bytes);
        var runId = await WaitAsync(() => system.ScalarAsync<long>($"SELECT count(*) FROM inbox_files WHERE path = '{dropped}'"), n => n == 1, "the file to be claimed")
            .ContinueWith(_ => system.Database.ScalarAsync<Guid>($"SELECT run_id FROM inbox_files WHERE path = '{dropped}'")).Unwrap();
        await WaitAsync(() => system.ScalarAsync<long>($"SELECT count(*) FROM staged_chunks WHERE run_id = '{runId}'"), n => n > 0, "the run to start staging");

        // The watcher dies while its run reads the file, and comes back. The run must still be in flight then, or the
        // restart proves nothing.
        var stateAtKill = await system.ScalarAsync<string>($"SELECT current_state FROM batch_runs WHERE run_id = '{runId}'");
        var chunksAtKill = await system.ScalarAsync<long>($"SELECT count(*) FROM staged_chunks WHERE run_id = '{runId}'");
        await system.Topology.RestartAsync("ingestor");
        output.WriteLine($"ingestor killed and restarted while run {runId} was {stateAtKill} with {chunksAtKill} of 15 chunks staged ({watch.Elapsed.TotalSeconds:0.0} s)");
        Assert.DoesNotContain(stateAtKill, StreamingSystemFixture.FinalStates);

        var processed = Path.Combine(system.InboxFolder, "processed", "daily-sales.csv");
        await WaitAsync(() => Task.FromResult(File.Exists(processed) ? 1L : 0L), n => n == 1, "the file to move to processed/", TimeSpan.FromSeconds(120));
        Assert.False(File.Exists(dropped));
        Assert.Equal("Succeeded", await system.ScalarAsync<string>($"SELECT current_state FROM batch_runs WHERE run_id = '{runId}'"));
        Assert.Equal(1L, await RunsOfInboxAsync("daily-sales"));
        Assert.Equal(30_000L, await system.ScalarAsync<long>($"SELECT rows_read FROM batch_runs WHERE run_id = '{runId}'"));
        output.WriteLine($"run final and file moved after {watch.Elapsed.TotalSeconds:0.0} s");

        // The same bytes again, under another name and under the same name: no new run, both moved aside.
        var again = await DropAsync("daily-sales-copy.csv", bytes);
        var sameName = await DropAsync("daily-sales.csv", bytes);
        await WaitAsync(() => Task.FromResult(File.Exists(again) || File.Exists(sameName) ? 0L : 1L), n => n == 1, "the copies to leave the inbox");
        await Task.Delay(1000);
        Assert.Equal(1L, await RunsOfInboxAsync("daily-sales"));
        Assert.Equal(1L, await system.ScalarAsync<long>("SELECT count(*) FROM inbox_files WHERE file_name LIKE 'daily-sales%'"));
        Assert.Equal(3, Directory.GetFiles(Path.Combine(system.InboxFolder, "processed"), "daily-sales*").Length);
        Assert.Empty(Directory.GetFiles(system.InboxFolder, "daily-sales*"));
    }

    [Fact]
    public async Task Should_move_a_file_whose_run_fails_to_failed_with_one_failed_run_that_says_why()
    {
        var bad = "transaction_id,customer_id,product_id,sale_date,quantity,total_price\nT1,C1,P1,2026-11-20,1,10.00\n"u8.ToArray();
        var dropped = await DropAsync("no-channel.csv", bad);

        var failed = Path.Combine(system.InboxFolder, "failed", "no-channel.csv");
        await WaitAsync(() => Task.FromResult(File.Exists(failed) ? 1L : 0L), n => n == 1, "the file to move to failed/", TimeSpan.FromSeconds(90));
        Assert.False(File.Exists(dropped));
        Assert.False(File.Exists(Path.Combine(system.InboxFolder, "processed", "no-channel.csv")));
        Assert.Equal(1L, await RunsOfInboxAsync("no-channel"));
        var runId = await system.Database.ScalarAsync<Guid>("SELECT run_id FROM inbox_files WHERE file_name = 'no-channel.csv'");
        Assert.Equal("failed", await system.ScalarAsync<string>($"SELECT outcome FROM inbox_files WHERE run_id = '{runId}'"));
        Assert.Equal("Failed", await system.ScalarAsync<string>($"SELECT current_state FROM batch_runs WHERE run_id = '{runId}'"));
        var reason = await system.ScalarAsync<string>($"SELECT failure_reason FROM batch_runs WHERE run_id = '{runId}'");
        output.WriteLine($"run {runId} failed: {reason}");
        Assert.Contains("sales_channel", reason, StringComparison.Ordinal);
    }

    /// <summary>Runs started for inbox files whose name starts so (each scenario drops files of its own names).</summary>
    Task<long> RunsOfInboxAsync(string namePrefix) =>
        system.ScalarAsync<long>($"SELECT count(*) FROM batch_runs WHERE source_path LIKE '{system.InboxFolder}/{namePrefix}%'");

    async Task<string> DropAsync(string name, byte[] content)
    {
        var staging = Path.Combine(system.WorkFolder, $"{Guid.NewGuid():N}.csv");
        await File.WriteAllBytesAsync(staging, content);
        var target = Path.Combine(system.InboxFolder, name);
        File.Move(staging, target);
        return target;
    }

    async Task<T> WaitAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var value = await probe();
            if (done(value))
                return value;
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what} (last: {value})\n{system.Logs}");
            await Task.Delay(200);
        }
    }
}
