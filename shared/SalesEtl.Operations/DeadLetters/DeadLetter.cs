namespace SalesEtl.Operations.DeadLetters;

/// <summary>
/// Naming of MassTransit's dead-letter queues: a message that faulted on queue <c>X</c> lands in <c>X_error</c>;
/// the queue <c>X</c> it came from is bound to an exchange of the same name.
/// </summary>
public static class DeadLetterQueueNames
{
    public const string ErrorSuffix = "_error";

    public static bool IsErrorQueue(string queue) =>
        queue.EndsWith(ErrorSuffix, StringComparison.Ordinal) && queue.Length > ErrorSuffix.Length;

    /// <summary>The queue whose consumer faulted: <c>X</c> for <c>X_error</c>.</summary>
    public static string SourceQueue(string errorQueue) =>
        IsErrorQueue(errorQueue) ? errorQueue[..^ErrorSuffix.Length] : throw new ArgumentException($"'{errorQueue}' is not an error queue (*{ErrorSuffix}).", nameof(errorQueue));
}

/// <summary>A dead-letter queue and the number of messages ready in it.</summary>
public sealed record DeadLetterQueue(string Name, string SourceQueue, long Depth);

/// <summary>What a dead-lettered message says about itself: its run, its type, and why and where it faulted.</summary>
/// <param name="Position">1-based position in the error queue (the order in which a redrive moves messages).</param>
/// <param name="RunId">From the MassTransit envelope's <c>message.runId</c> (or a <c>RunId</c> header); null when unknown.</param>
/// <param name="MessageType">The message type's name (the last part of the envelope's first <c>messageType</c> URN).</param>
/// <param name="FaultExceptionType">Header <c>MT-Fault-ExceptionType</c>.</param>
/// <param name="FaultMessage">Header <c>MT-Fault-Message</c>.</param>
/// <param name="FaultedAt">Header <c>MT-Fault-Timestamp</c>.</param>
/// <param name="Consumer">Header <c>MT-Fault-ConsumerType</c>.</param>
/// <param name="Host">Headers <c>MT-Host-MachineName</c>, <c>MT-Host-ProcessName</c> and <c>MT-Host-ProcessId</c> as <c>machine/process[pid]</c>.</param>
public sealed record DeadLetter(
    int Position,
    string? MessageId,
    Guid? RunId,
    string? MessageType,
    string? FaultExceptionType,
    string? FaultMessage,
    DateTimeOffset? FaultedAt,
    string? Consumer,
    string? Host);

/// <summary>One error queue listed: its depth and the first messages in queue order (at most the limit asked for).</summary>
public sealed record DeadLetterListing(DeadLetterQueue Queue, IReadOnlyList<DeadLetter> Messages);

/// <summary>What a redrive of one error queue did.</summary>
/// <param name="Moved">Messages published back to the source queue (confirmed by the broker) and then removed from the error queue.</param>
/// <param name="Left">Messages examined and left in the error queue, in their order (other runs, or not reached after an error).</param>
/// <param name="Error">Why the redrive of this queue stopped early; null when it went through.</param>
public sealed record RedriveResult(string ErrorQueue, string SourceQueue, int Moved, int Left, string? Error);
