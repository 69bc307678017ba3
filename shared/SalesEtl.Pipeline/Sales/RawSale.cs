namespace SalesEtl.Pipeline.Sales;

/// <summary>
/// One CSV record as read, before any rule: the required fields as text (null when malformed),
/// the physical line where the record starts (header = line 1) and the raw text for rejects.
/// <see cref="FirstOccurrence"/>: the ingestor saw no earlier record with this transaction id in the run
/// (<see cref="FirstOccurrenceFilter"/>); false when it did, or when nobody checked. Such a record's fact, should it
/// pass rules 1–9, is loaded at once; any other takes the full duplicate check over the whole run.
/// </summary>
public sealed record RawSale(
    long SourceLine,
    bool Malformed,
    string RawText,
    string? TransactionId,
    string? CustomerId,
    string? ProductId,
    string? SaleDate,
    string? Quantity,
    string? TotalPrice,
    string? SalesChannel,
    bool FirstOccurrence = false);
