namespace SalesEtl.Streaming.Tests;

/// <summary>
/// The simulator's pacing (<see cref="StreamPacer"/>, the <see cref="TokenBucket"/> under it), driven by a clock of
/// the test in 1-ms steps, as the simulator's loop asks it: the rate is met, and each burst goes out in full on top.
/// </summary>
public sealed class Pacing_the_stream
{
    const double Rate = 2000;
    const double Capacity = Rate * 0.05;
    const int MaxPerTake = 4096;
    static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);

    [Fact]
    public void Should_send_at_the_rate()
    {
        var sent = Drive(new StreamPacer(Rate, Capacity, TimeSpan.Zero, 0));

        Assert.InRange(sent.Sum(), Rate * Duration.TotalSeconds - 1, Rate * Duration.TotalSeconds);
        Assert.True(sent.Max() <= Capacity, $"At most the capacity goes out at once, {sent.Max()} did.");
    }

    // Regression: the bucket's refill capped a burst at its capacity (100 events at 2,000/s), so a burst of 5,000 sent 100.
    [Fact]
    public void Should_send_each_burst_in_full_on_top_of_the_rate()
    {
        const int BurstEvents = 5000;
        var sent = Drive(new StreamPacer(Rate, Capacity, TimeSpan.FromSeconds(1), BurstEvents));

        const int Bursts = 10; // at 1 s, 2 s, ... 10 s
        Assert.InRange(sent.Sum(), Rate * Duration.TotalSeconds + Bursts * BurstEvents - 1, Rate * Duration.TotalSeconds + Bursts * BurstEvents);
        for (var second = 1; second < Bursts; second++)
        {
            var atBurst = sent.Skip(second * 1000).Take(5).Sum();
            Assert.True(atBurst >= BurstEvents, $"The burst at {second} s sent {atBurst} events in its first 5 ms, not {BurstEvents}.");
        }
    }

    /// <summary>Events let out at each millisecond, 1 ms to the end, as much as allowed each time.</summary>
    static int[] Drive(StreamPacer pacer)
    {
        var sent = new int[(int)Duration.TotalMilliseconds + 1];
        for (var ms = 1; ms < sent.Length; ms++)
        {
            int taken;
            while ((taken = pacer.Take(TimeSpan.FromMilliseconds(ms), MaxPerTake)) > 0)
                sent[ms] += taken;
        }
        return sent;
    }
}
