namespace SalesEtl.Streaming;

/// <summary>
/// Paces the simulator's stream: events at a steady rate (a <see cref="TokenBucket"/>), plus a burst of
/// <c>burstEvents</c> sent at once every <c>burstEvery</c>, on top of the rate. Time is given by the caller.
/// </summary>
/// <param name="rate">Events per second.</param>
/// <param name="capacity">The most events the steady rate lets out at once.</param>
/// <param name="burstEvery">Time between bursts; zero turns bursts off.</param>
/// <param name="burstEvents">Events of each burst.</param>
public sealed class StreamPacer(double rate, double capacity, TimeSpan burstEvery, int burstEvents)
{
    readonly TokenBucket bucket = new(rate, capacity);
    TimeSpan nextBurst = burstEvery > TimeSpan.Zero && burstEvents > 0 ? burstEvery : TimeSpan.MaxValue;

    /// <summary>Takes up to <paramref name="max"/> events allowed at <paramref name="now"/> (time since the start).</summary>
    public int Take(TimeSpan now, int max)
    {
        while (now >= nextBurst)
        {
            bucket.Add(burstEvents);
            nextBurst += burstEvery;
        }
        return bucket.Take(now, max);
    }

    /// <summary>How long until the steady rate allows one more event.</summary>
    public TimeSpan UntilNext => bucket.UntilNext;
}
