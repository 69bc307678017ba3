namespace SalesEtl.Contracts;

/// <summary>Run outcomes of SPEC §4, as stored and exported.</summary>
public static class RunOutcomes
{
    public const string Succeeded = "succeeded";
    public const string SucceededWithWarnings = "succeeded_with_warnings";
    public const string Failed = "failed";
}

/// <summary>Published by the saga when a run reaches a final state.</summary>
public sealed record BatchRunCompleted(Guid RunId, string Outcome, long RowsRead, long RowsAccepted, long RowsRejected, long DuplicatesDropped) : IRunMessage;

/// <summary>Published by the saga when a run fails.</summary>
public sealed record BatchRunFailed(Guid RunId, string FailedStep, string Reason) : IRunMessage;
