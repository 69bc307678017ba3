namespace SalesEtl.Pipeline.Sales;

/// <summary>Accepted-row flags of SPEC §1.</summary>
[Flags]
public enum SaleFlags
{
    None = 0,
    SignCorrected = 1,
    PriceImputed = 2,
    UnknownChannel = 4,
    UnknownProduct = 8,
    PriceOutlier = 16,
}

/// <summary>Reject reason codes of SPEC §1, in rule order.</summary>
public static class RejectReasons
{
    public const string MalformedRow = "malformed_row";
    public const string MissingTransactionId = "missing_transaction_id";
    public const string MissingProductId = "missing_product_id";
    public const string InvalidSaleDate = "invalid_sale_date";
    public const string FutureSaleDate = "future_sale_date";
    public const string InvalidQuantity = "invalid_quantity";
    public const string ZeroQuantity = "zero_quantity";
    public const string InvalidTotalPrice = "invalid_total_price";
    public const string MissingTotalPrice = "missing_total_price";
    public const string DuplicateConflict = "duplicate_conflict";

    public static IReadOnlyList<string> All { get; } =
    [
        MalformedRow, MissingTransactionId, MissingProductId, InvalidSaleDate, FutureSaleDate,
        InvalidQuantity, ZeroQuantity, InvalidTotalPrice, MissingTotalPrice, DuplicateConflict,
    ];
}

/// <summary>A row that passed rules 1–9, normalized; duplicate detection happens over the whole run afterwards.</summary>
public sealed record NormalizedSale(
    long SourceLine,
    string TransactionId,
    string? CustomerId,
    string ProductId,
    DateTime SaleDateUtc,
    int Quantity,
    decimal TotalPrice,
    string Channel,
    SaleFlags Flags);

/// <summary>Exactly one of <see cref="Sale"/> or <see cref="RejectReason"/> is set.</summary>
public readonly record struct SaleOutcome(NormalizedSale? Sale, string? RejectReason);

public sealed record SaleNormalizerOptions
{
    /// <summary>Relative deviation of the unit price from the base price above which a row is flagged <c>price_outlier</c>.</summary>
    public decimal PriceOutlierThreshold { get; init; } = 0.5m;
}

/// <summary>Applies rules 1–9 and the normalizations of SPEC §1 to one record; pure.</summary>
public sealed class SaleNormalizer(SaleNormalizerOptions options)
{
    /// <param name="basePrices">The run's product snapshot: upper-cased product id → base price.</param>
    public SaleOutcome Normalize(RawSale row, DateTimeOffset asOf, IReadOnlyDictionary<string, decimal> basePrices) =>
        throw new NotImplementedException();

    public SaleNormalizerOptions Options => options;
}
