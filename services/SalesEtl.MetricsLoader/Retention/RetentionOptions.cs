using System.ComponentModel.DataAnnotations;

namespace SalesEtl.MetricsLoader.Retention;

/// <summary>Section <c>Retention</c>: when a finished run's intermediate rows (staged records, candidate facts) are released.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>Off keeps every intermediate row (e.g. to debug a run by hand).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the sweeper looks for runs to release.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Age of a succeeded or cancelled run before its intermediate rows go. Not zero: a late redelivery of the run's
    /// last command still finds what it needs.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan FinishedRunsAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Age of a failed run before its intermediate rows go: until then <c>etl retry</c> reuses the steps that completed.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan FailedRunsAfter { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Runs released per sweep at most; the next sweep takes the rest.</summary>
    [Range(1, 10_000)]
    public int RunsPerSweep { get; set; } = 20;
}
