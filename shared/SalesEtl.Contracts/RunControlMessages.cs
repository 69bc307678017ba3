namespace SalesEtl.Contracts;

/// <summary>Stops a run: it ends Cancelled and its results are purged, so nothing half-written stays.</summary>
public sealed record CancelBatchRun(Guid RunId, string Reason) : IRunMessage;

/// <summary>Resumes a failed run from the step that failed, reusing what completed.</summary>
public sealed record RetryBatchRun(Guid RunId) : IRunMessage;

/// <summary>
/// Published by the orchestrator's stall monitor when a run's step made no progress before its
/// deadline; the saga re-drives the step a bounded number of times, then fails the run.
/// </summary>
public sealed record BatchRunStepTimedOut(Guid RunId, DateTimeOffset Deadline) : IRunMessage;

/// <summary>Deletes every row a run wrote (staging, facts, rejects, metrics, quality report).</summary>
public sealed record PurgeRunResults(Guid RunId) : IRunMessage;

/// <summary>A run's results were purged.</summary>
public sealed record RunResultsPurged(Guid RunId) : IRunMessage;
