using MassTransit;

namespace SalesEtl.Data.Runs;

/// <summary>
/// The persisted state of one batch run: the <c>BatchRun</c> saga's instance and the row that
/// <c>etl status</c> and <c>etl runs</c> read. Chunk sets are kept as arrays so that a chunk event
/// delivered twice counts once.
/// </summary>
public sealed class BatchRunState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "Initial";

    public string SourcePath { get; set; } = "";
    public DateTimeOffset AsOf { get; set; }
    public string? ProductsUrl { get; set; }
    public int ChunkSize { get; set; }

    public long? SnapshotId { get; set; }
    public int? TotalChunks { get; set; }
    public long? RowsRead { get; set; }
    public List<int> StagedChunks { get; set; } = [];
    public List<int> TransformedChunks { get; set; } = [];
    public long RowsTransformed { get; set; }

    public string? Outcome { get; set; }
    public long? RowsAccepted { get; set; }
    public long? RowsRejected { get; set; }
    public long? DuplicatesDropped { get; set; }
    public string? FailedStep { get; set; }
    public string? FailureReason { get; set; }

    /// <summary>When the current step must have made progress by; the stall monitor acts on runs past it.</summary>
    public DateTimeOffset? StepDeadline { get; set; }

    /// <summary>The deadline the stall monitor last reported, so that each missed deadline is reported once.</summary>
    public DateTimeOffset? StallNotifiedDeadline { get; set; }

    /// <summary>Times the current step was re-driven after a stall; reset by progress.</summary>
    public int StallRedrives { get; set; }

    /// <summary>Times the run was resumed by <c>etl retry</c>.</summary>
    public int Retries { get; set; }

    public DateTimeOffset SubmittedAt { get; set; }
    public DateTimeOffset? IngestedAt { get; set; }
    public DateTimeOffset? ProductsSyncedAt { get; set; }
    public DateTimeOffset? TransformedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
