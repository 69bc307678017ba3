namespace SalesEtl.Streaming;

/// <summary>
/// Paces a stream: tokens accrue at <c>rate</c> per second up to <c>capacity</c>; each event takes one. Tokens
/// added at once (<see cref="Add"/>, a burst) are kept apart from that cap until they are taken. Time is given by
/// the caller, so the bucket is a pure function of it.
/// </summary>
public sealed class TokenBucket
{
    readonly double rate;
    readonly double capacity;
    double tokens;
    double extra;
    TimeSpan last;

    /// <param name="rate">Tokens per second.</param>
    /// <param name="capacity">The most tokens the bucket holds (at least 1).</param>
    public TokenBucket(double rate, double capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        this.rate = rate;
        this.capacity = Math.Max(1, capacity);
    }

    /// <summary>Takes up to <paramref name="max"/> whole tokens available at <paramref name="now"/> (time since the start).</summary>
    public int Take(TimeSpan now, int max)
    {
        if (now > last)
        {
            tokens = Math.Min(capacity, tokens + (now - last).TotalSeconds * rate);
            last = now;
        }
        // A burst is not subject to the cap: the refill above would otherwise cut it to the capacity.
        var fromBurst = (int)Math.Min(max, Math.Floor(extra));
        extra -= fromBurst;
        var fromRate = (int)Math.Min(max - fromBurst, Math.Floor(tokens));
        tokens -= fromRate;
        return fromBurst + fromRate;
    }

    /// <summary>Adds tokens at once, beyond the capacity: a burst.</summary>
    public void Add(int burst) => extra += burst;

    /// <summary>How long until one token is there.</summary>
    public TimeSpan UntilNext => tokens + extra >= 1 ? TimeSpan.Zero : TimeSpan.FromSeconds((1 - tokens) / rate);
}
