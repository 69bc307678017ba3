namespace SalesEtl.Pipeline.Sales;

/// <summary>
/// One CSV record as read, before any rule: the required fields as text (null when malformed),
/// the physical line where the record starts (header = line 1) and the raw text for rejects.
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
    string? SalesChannel);
