using System.Globalization;

namespace SalesEtl.EndToEnd.Tests.Reference;

/// <summary>Reason codes of SPEC §1, in rule order.</summary>
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

    public static readonly IReadOnlyList<string> All =
    [
        MalformedRow, MissingTransactionId, MissingProductId, InvalidSaleDate, FutureSaleDate,
        InvalidQuantity, ZeroQuantity, InvalidTotalPrice, MissingTotalPrice, DuplicateConflict,
    ];
}

/// <summary>Flags of SPEC §1 on accepted rows.</summary>
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

public static class SaleFlagNames
{
    public static readonly IReadOnlyList<(SaleFlags Flag, string Name)> All =
    [
        (SaleFlags.SignCorrected, "sign_corrected"),
        (SaleFlags.PriceImputed, "price_imputed"),
        (SaleFlags.UnknownChannel, "unknown_channel"),
        (SaleFlags.UnknownProduct, "unknown_product"),
        (SaleFlags.PriceOutlier, "price_outlier"),
    ];
}

public static class Channels
{
    public const string Online = "online";
    public const string Store = "store";
    public const string Mobile = "mobile";
    public const string Marketplace = "marketplace";
    public const string Phone = "phone";
    public const string Unknown = "unknown";
}

public static class Segments
{
    public const string OneTime = "one_time";
    public const string Occasional = "occasional";
    public const string Frequent = "frequent";
    public const string ReturnsOnly = "returns_only";

    public static readonly IReadOnlyList<string> All = [OneTime, Occasional, Frequent, ReturnsOnly];
}

/// <summary>A product of the snapshot after SPEC §2 normalization.</summary>
public sealed record ReferenceProduct(
    string ProductId,
    string? ProductName,
    string? Category,
    string? Manufacturer,
    decimal BasePrice,
    int? StockQuantity);

public sealed record ProductReject(int ItemNo, string? ProductId, string Reason);

/// <summary>The snapshot of one products file, with the counts of SPEC §2.</summary>
public sealed record ProductLoadResult(
    IReadOnlyDictionary<string, ReferenceProduct> Products,
    int ItemsRead,
    IReadOnlyList<ProductReject> Rejects,
    int DuplicateIds,
    int InvalidStockQuantities);

/// <summary>An accepted sale, normalized and flagged (SPEC §1).</summary>
public sealed record AcceptedSale(
    long SourceLine,
    string TransactionId,
    string? CustomerId,
    string ProductId,
    DateTime SaleDate,
    int Quantity,
    decimal TotalPrice,
    string Channel,
    SaleFlags Flags);

public sealed record RejectedRow(long SourceLine, string Reason, string RawText);

public sealed record DuplicateRow(long SourceLine, long DuplicateOfLine, string TransactionId);

public sealed record ProductRevenueRow(
    string ProductId,
    string? ProductName,
    string? Category,
    string? Manufacturer,
    long Transactions,
    long UnitsSold,
    decimal GrossRevenue,
    decimal ReturnsValue,
    decimal NetRevenue,
    decimal? RevenueShare,
    int Rank);

public sealed record ChannelPerformanceRow(
    string Channel,
    long Transactions,
    long UnitsSold,
    decimal NetRevenue,
    decimal? AvgOrderValue,
    long DistinctCustomers,
    decimal? RevenueShare);

public sealed record ChannelMonthlyRow(string Channel, string Month, long Transactions, decimal NetRevenue);

public sealed record CustomerFrequencyRow(
    string CustomerId,
    long Purchases,
    long Returns,
    DateTime? FirstPurchase,
    DateTime? LastPurchase,
    decimal TotalSpent,
    decimal? AvgDaysBetweenPurchases,
    string Segment);

public sealed record CustomerSegmentRow(string Segment, long Customers);

public sealed record InventoryValuationRow(
    string ProductId,
    string? ProductName,
    string? Category,
    string? Manufacturer,
    int StockQuantity,
    decimal BasePrice,
    decimal StockValue,
    long UnitsSold,
    decimal? SellThrough);

/// <summary>A row of inventory_by_category (Key = category) or inventory_by_manufacturer (Key = manufacturer).</summary>
public sealed record InventoryGroupRow(
    string? Key,
    long Products,
    long StockQuantity,
    decimal StockValue,
    long UnitsSold,
    decimal? SellThrough);

/// <summary>The counts of the SPEC §4 quality report and the observed values of its expectations.</summary>
public sealed record ReferenceQuality(
    long RowsRead,
    long RowsAccepted,
    long RowsRejected,
    IReadOnlyDictionary<string, long> RejectedByReason,
    long DuplicatesDropped,
    IReadOnlyDictionary<string, long> Flags,
    decimal? RejectRate,
    decimal? UnknownProductRate,
    decimal NetRevenue,
    decimal ProductRevenueTotal,
    decimal ChannelPerformanceTotal)
{
    public bool Reconciles => NetRevenue == ProductRevenueTotal && NetRevenue == ChannelPerformanceTotal;

    /// <summary>
    /// SPEC §4's expectations at their default thresholds, judged on the exact ratio of the counts (not the rounded
    /// rate), in the report's order. A rate over no rows is 0 (entry 33). Accepted rows cannot lack a required value
    /// here (their types say so), so that expectation observes 0.
    /// </summary>
    public IReadOnlyList<ReferenceExpectation> Expectations =>
    [
        new("reject_rate", RowsRejected * 100 <= RowsRead * 5, Rate(RejectRate)),
        new("unknown_product_rate", Flags["unknown_product"] * 100 <= RowsAccepted * 2, Rate(UnknownProductRate)),
        new("no_null_required_columns", true, "0"),
        new("reconciliation", Reconciles,
            string.Create(CultureInfo.InvariantCulture, $"facts {NetRevenue:0.00}, product_revenue {ProductRevenueTotal:0.00}, channel_performance {ChannelPerformanceTotal:0.00}")),
    ];

    static string Rate(decimal? rate) => (rate ?? 0m).ToString("0.000000", CultureInfo.InvariantCulture);
}

/// <summary>One expectation of the quality report: whether it passed and its observed value as the report writes it.</summary>
public sealed record ReferenceExpectation(string Name, bool Passed, string Observed);

/// <summary>Everything one reference run produces, each table already in export order.</summary>
public sealed record ReferenceResult(
    DateTimeOffset AsOf,
    ProductLoadResult Products,
    IReadOnlyList<AcceptedSale> Accepted,
    IReadOnlyList<RejectedRow> Rejects,
    IReadOnlyList<DuplicateRow> Duplicates,
    ReferenceQuality Quality,
    IReadOnlyList<ProductRevenueRow> ProductRevenue,
    IReadOnlyList<ChannelPerformanceRow> ChannelPerformance,
    IReadOnlyList<ChannelMonthlyRow> ChannelMonthly,
    IReadOnlyList<CustomerFrequencyRow> CustomerFrequency,
    IReadOnlyList<CustomerSegmentRow> CustomerSegments,
    IReadOnlyList<InventoryValuationRow> InventoryValuation,
    IReadOnlyList<InventoryGroupRow> InventoryByCategory,
    IReadOnlyList<InventoryGroupRow> InventoryByManufacturer);

/// <summary>The sales file lacks required columns: the whole run fails before any row is read.</summary>
public sealed class MissingColumnsException(IReadOnlyList<string> missing)
    : Exception("Missing required column(s): " + string.Join(", ", missing))
{
    public IReadOnlyList<string> Missing { get; } = missing;
}

/// <summary>The sales file has no usable header row (empty, blank lines only, or bad quoting in the header).</summary>
public sealed class UnreadableSalesFileException(string message) : Exception(message);
