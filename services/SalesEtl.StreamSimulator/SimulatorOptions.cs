using System.ComponentModel.DataAnnotations;

namespace SalesEtl.StreamSimulator;

/// <summary>Section <c>Simulator</c> (or <c>--rate</c>, <c>--seconds</c>, <c>--events</c>, <c>--seed</c> on the command line): the stream started at start-up or by default.</summary>
public sealed class SimulatorOptions
{
    public const string Section = "Simulator";

    /// <summary>Events per second.</summary>
    [Range(0.001, 1_000_000)] public double Rate { get; set; } = 2000;

    /// <summary>How long the stream lasts, at most.</summary>
    [Range(0.001, 86_400 * 7)] public double Seconds { get; set; } = 60;

    /// <summary>Distinct source events; 0 means rate × seconds.</summary>
    [Range(0, 100_000_000)] public int Events { get; set; }

    /// <summary>Seed of the data; unset picks one per stream.</summary>
    public int? Seed { get; set; }

    /// <summary>As-of time of the generated sales; unset means now.</summary>
    public DateTimeOffset? AsOf { get; set; }

    [Range(0, 1)] public double LateRate { get; set; } = 0.02;
    [Range(0, 1)] public double DuplicateRate { get; set; } = 0.01;

    /// <summary>How late a late event (or a duplicate) is at most, in seconds of the stream.</summary>
    [Range(0, 3600)] public double MaxDelaySeconds { get; set; } = 3;

    /// <summary>The token bucket's capacity in seconds of rate: the largest burst after an idle moment.</summary>
    [Range(0.001, 60)] public double BurstSeconds { get; set; } = 0.05;

    /// <summary>Every this many seconds, <see cref="BurstEvents"/> extra events go out at once; 0 turns bursts off.</summary>
    [Range(0, 3600)] public double BurstEverySeconds { get; set; }

    [Range(0, 1_000_000)] public int BurstEvents { get; set; }

    /// <summary>Start a stream with these settings when the service starts (set by <c>--rate</c>/<c>--seconds</c>).</summary>
    public bool AutoStart { get; set; }
}
