using System.ComponentModel.DataAnnotations;

namespace SalesEtl.Orchestrator;

/// <summary>Section <c>Orchestrator</c>.</summary>
public sealed class OrchestratorOptions
{
    public const string Section = "Orchestrator";

    /// <summary>How long a step may go without progress (a chunk staged or transformed, a step done) before it counts as stalled.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan StepTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Re-drives of a stalled step before the run fails.</summary>
    [Range(0, 100)]
    public int MaxStallRedrives { get; set; } = 3;

    /// <summary>How often the stall monitor looks for overdue runs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan StallScanInterval { get; set; } = TimeSpan.FromSeconds(15);
}
