namespace SalesEtl.Contracts;

/// <summary>
/// One sale as a source system emits it: the seven required fields as raw text, exactly as a CSV
/// record would hold them (SPEC §1 rules apply unchanged), plus the event's identity. Not a run
/// message: the ingestor buffers events and cuts them into windows, each window a run.
/// </summary>
/// <param name="EventId">Unique per event; a redelivered or re-sent event keeps it (dedup key).</param>
/// <param name="Source">The emitting system (a till, a web shop, the simulator).</param>
/// <param name="SequenceNo">The source's own sequence number: gaps and disorder show lateness.</param>
/// <param name="EmittedAt">When the source emitted the event (event time, not sale time).</param>
/// <param name="Malformed">The source could not split the record into fields (rule 1, <c>malformed_row</c>).</param>
/// <param name="RawText">The record as text, kept for rejects.</param>
public sealed record SaleEventReceived(
    Guid EventId,
    string Source,
    long SequenceNo,
    DateTimeOffset EmittedAt,
    bool Malformed,
    string RawText,
    string? TransactionId,
    string? CustomerId,
    string? ProductId,
    string? SaleDate,
    string? Quantity,
    string? TotalPrice,
    string? SalesChannel);

/// <summary>
/// Starts the <c>BatchRun</c> saga for a stream window whose rows are already staged in
/// <paramref name="ChunkCount"/> chunks: the saga skips ingest and only syncs products, transforms and loads.
/// </summary>
/// <param name="WindowNo">The window's number in the stream (1, 2, …), for people and logs.</param>
public sealed record StartStreamWindowRun(
    Guid RunId,
    long WindowNo,
    int ChunkCount,
    long RowsRead,
    DateTimeOffset AsOf,
    string? ProductsUrl,
    DateTimeOffset RequestedAt) : IRunMessage;

/// <summary>Asks the stream simulator to publish sale events for a while (queue <c>start-sale-stream</c>; the simulator also takes <c>POST /stream/start</c>).</summary>
/// <param name="Rate">Events per second (token bucket).</param>
/// <param name="Seconds">How long to publish.</param>
/// <param name="Seed">Seed of the generated data; null picks one.</param>
public sealed record StartSaleStream(double Rate, double Seconds, int? Seed);
