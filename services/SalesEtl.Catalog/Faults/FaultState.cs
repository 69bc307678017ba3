namespace SalesEtl.Catalog.Faults;

/// <summary>What happens to one request.</summary>
public sealed record FaultDecision(TimeSpan Latency, int? FailStatus, int? RetryAfterSeconds, BodyFault Body)
{
    public static FaultDecision None { get; } = new(TimeSpan.Zero, null, null, BodyFault.None);
}

public enum BodyFault
{
    None,
    Truncated,
    InvalidJson,
}

/// <summary>The faults in force; one lock keeps the "next N" counters exact under concurrent requests.</summary>
public sealed class FaultState(FaultSettings initial)
{
    readonly Lock gate = new();
    FaultSettings current = initial;

    public FaultSettings Current
    {
        get { lock (gate) return current; }
    }

    public void Set(FaultSettings settings)
    {
        lock (gate) current = settings;
    }

    /// <summary>Decides the fate of the next request and spends the counters it uses.</summary>
    public FaultDecision Next()
    {
        lock (gate)
        {
            var s = current;
            if (s == FaultSettings.None)
                return FaultDecision.None;

            var latency = TimeSpan.FromMilliseconds(s.LatencyMs);
            if (s.FailNext > 0 || Hit(s.FailureRate))
            {
                current = s = s with { FailNext = Math.Max(0, s.FailNext - 1) };
                var retryAfter = s.RetryAfterSeconds ?? (s.StatusCode == StatusCodes.Status429TooManyRequests ? 1 : null);
                return new FaultDecision(latency, s.StatusCode, retryAfter, BodyFault.None);
            }
            if (s.TruncateNext > 0 || Hit(s.TruncateRate))
            {
                current = s with { TruncateNext = Math.Max(0, s.TruncateNext - 1) };
                return new FaultDecision(latency, null, null, BodyFault.Truncated);
            }
            if (s.InvalidJsonNext > 0 || Hit(s.InvalidJsonRate))
            {
                current = s with { InvalidJsonNext = Math.Max(0, s.InvalidJsonNext - 1) };
                return new FaultDecision(latency, null, null, BodyFault.InvalidJson);
            }
            return new FaultDecision(latency, null, null, BodyFault.None);
        }
    }

    static bool Hit(double rate) => rate > 0 && Random.Shared.NextDouble() < rate;
}
