using System.Diagnostics;
using System.Globalization;

namespace SalesEtl.Streaming.Tests;

/// <summary>
/// Issue 8, acceptance 3: the simulator meets 2,000 events/s within 10%, and the pipeline keeps up: the
/// broker backlog stays bounded while it streams, drains once it stops, and every window's run ends.
/// CI runs 20 s (<c>ETL_STREAM_SECONDS</c> overrides it: docs/STREAMING.md has the 60-s result).
/// </summary>
[Collection(StreamingCollection.Name)]
public sealed class Keeping_up_with_the_simulator(StreamingSystemFixture system, Xunit.Abstractions.ITestOutputHelper output)
{
    const double Rate = 2000;

    [Fact]
    public async Task Should_meet_the_rate_and_keep_the_backlog_bounded()
    {
        var seconds = double.TryParse(Environment.GetEnvironmentVariable("ETL_STREAM_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 20;
        var rate = double.TryParse(Environment.GetEnvironmentVariable("ETL_STREAM_RATE"), CultureInfo.InvariantCulture, out var r) ? r : Rate;
        await system.ResetStreamAsync();
        var events = (int)(rate * seconds);
        await system.StartStreamAsync(rate, seconds, events);

        var watch = Stopwatch.StartNew();
        long maxBacklog = 0;
        long maxOpen = 0;
        SimulatorStatus status;
        while (true)
        {
            status = await system.SimulatorStatusAsync();
            var backlog = await system.QueueDepthAsync("sale-events");
            var open = await system.ScalarAsync<long>("SELECT count(*) FROM stream_events WHERE window_no IS NULL");
            maxBacklog = Math.Max(maxBacklog, backlog);
            maxOpen = Math.Max(maxOpen, open);
            output.WriteLine($"{watch.Elapsed.TotalSeconds,5:0.0} s  published {status.Published,7:N0}  queue {backlog,6:N0}  open window {open,6:N0}");
            if (status.State != "running")
                break;
            Assert.True(watch.Elapsed.TotalSeconds < seconds + 60, "The simulator did not finish.");
            await Task.Delay(1000);
        }
        Assert.Equal("finished", status.State);
        output.WriteLine($"achieved {status.AchievedRate:0} events/s ({status.Published:N0} in {status.ElapsedSeconds:0.00} s); max queue backlog {maxBacklog:N0}; max open window {maxOpen:N0}");
        Assert.InRange(status.AchievedRate, rate * 0.9, rate * 1.1);
        // Bounded: never more than two seconds of events wait in the broker.
        Assert.True(maxBacklog <= 2 * rate, $"The broker backlog reached {maxBacklog:N0} events (more than 2 s of the stream).");

        // Drains: the queue empties at once, and every window's run ends within a minute.
        var drainStart = watch.Elapsed;
        var finals = string.Join(",", StreamingSystemFixture.FinalStates.Select(x => $"'{x}'"));
        while (true)
        {
            var queue = await system.QueueDepthAsync("sale-events");
            var open = await system.ScalarAsync<long>("SELECT count(*) FROM stream_events WHERE window_no IS NULL");
            var pending = await system.ScalarAsync<long>($"SELECT count(*) FROM stream_windows w LEFT JOIN batch_runs r ON r.run_id = w.run_id WHERE r.current_state IS NULL OR r.current_state NOT IN ({finals})");
            if (queue == 0 && open == 0 && pending == 0)
                break;
            Assert.True(watch.Elapsed - drainStart < TimeSpan.FromSeconds(60), $"Not drained 60 s after the stream: queue {queue}, open {open}, runs pending {pending}\n{system.Logs}");
            await Task.Delay(500);
        }
        var windows = await system.ScalarAsync<long>("SELECT count(*) FROM stream_windows");
        output.WriteLine($"drained {(watch.Elapsed - drainStart).TotalSeconds:0.0} s after the stream ended; {windows} windows");
        Assert.Equal(await system.ScalarAsync<long>("SELECT count(*) FROM stream_events"), await system.ScalarAsync<long>("SELECT sum(events) FROM stream_windows"));
    }
}
