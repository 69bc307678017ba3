using SalesEtl.Pipeline.Text;

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

/// <summary>
/// A row that passed rules 1–9, normalized; duplicate detection happens over the whole run afterwards. It keeps the
/// record's raw text for the reject file, should it turn out to be a duplicate conflict, and whether its transaction
/// id certainly occurs for the first time in the run (<see cref="RawSale.FirstOccurrence"/>).
/// </summary>
public sealed record NormalizedSale(
    long SourceLine,
    string TransactionId,
    string? CustomerId,
    string ProductId,
    DateTime SaleDateUtc,
    int Quantity,
    decimal TotalPrice,
    string Channel,
    SaleFlags Flags,
    string RawText,
    bool FirstOccurrence = false);

/// <summary>Exactly one of <see cref="Sale"/> or <see cref="RejectReason"/> is set.</summary>
public readonly record struct SaleOutcome(NormalizedSale? Sale, string? RejectReason)
{
    public bool IsAccepted => Sale is not null;

    public static SaleOutcome Accept(NormalizedSale sale) => new(sale, null);

    public static SaleOutcome Reject(string reason) => new(null, reason);
}

/// <summary>Settings of <see cref="SaleNormalizer"/>.</summary>
public sealed record SaleNormalizerOptions
{
    /// <summary>Relative deviation of the unit price from the base price above which a row is flagged <c>price_outlier</c>.</summary>
    public decimal PriceOutlierThreshold { get; init; } = 0.5m;
}

/// <summary>Applies rules 1–9 and the normalizations of SPEC §1 to one record; pure.</summary>
public sealed class SaleNormalizer(SaleNormalizerOptions options)
{
    /// <param name="basePrices">The run's product snapshot: upper-cased product id → base price.</param>
    public SaleOutcome Normalize(RawSale row, DateTimeOffset asOf, IReadOnlyDictionary<string, decimal> basePrices)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(basePrices);

        // Rule 1.
        if (row.Malformed)
            return SaleOutcome.Reject(RejectReasons.MalformedRow);

        // Rules 2 and 3.
        var transactionId = AsciiText.TrimToNull(row.TransactionId);
        if (transactionId is null)
            return SaleOutcome.Reject(RejectReasons.MissingTransactionId);
        var productId = AsciiText.TrimToNull(row.ProductId)?.ToUpperInvariant();
        if (productId is null)
            return SaleOutcome.Reject(RejectReasons.MissingProductId);

        // Rules 4 and 5: strictly later than as-of + 24 h is in the future.
        if (!SaleDateParser.TryParse(row.SaleDate, out var saleDate))
            return SaleOutcome.Reject(RejectReasons.InvalidSaleDate);
        if (saleDate > LatestAllowed(asOf))
            return SaleOutcome.Reject(RejectReasons.FutureSaleDate);

        // Rules 6 and 7.
        if (!AmountParser.TryParseQuantity(row.Quantity, out var quantity))
            return SaleOutcome.Reject(RejectReasons.InvalidQuantity);
        if (quantity == 0)
            return SaleOutcome.Reject(RejectReasons.ZeroQuantity);

        // Rules 8 and 9, then imputation and sign correction.
        var flags = SaleFlags.None;
        var known = basePrices.TryGetValue(productId, out var basePrice);
        decimal totalPrice;
        switch (AmountParser.TryParseMoney(row.TotalPrice, out var parsed))
        {
            case MoneyParseStatus.Invalid:
                return SaleOutcome.Reject(RejectReasons.InvalidTotalPrice);
            case MoneyParseStatus.Empty when !known:
                return SaleOutcome.Reject(RejectReasons.MissingTotalPrice);
            case MoneyParseStatus.Empty:
                totalPrice = AmountParser.RoundMoney(quantity * basePrice);
                if (Math.Abs(totalPrice) > AmountParser.MaxMoney)
                    return SaleOutcome.Reject(RejectReasons.InvalidTotalPrice);
                flags |= SaleFlags.PriceImputed;
                break;
            default:
                totalPrice = parsed;
                if ((quantity > 0 && totalPrice < 0m) || (quantity < 0 && totalPrice > 0m))
                {
                    totalPrice = -totalPrice;
                    flags |= SaleFlags.SignCorrected;
                }
                break;
        }

        if (!SalesChannels.TryCanonicalize(row.SalesChannel, out var channel))
            flags |= SaleFlags.UnknownChannel;
        if (!known)
            flags |= SaleFlags.UnknownProduct;
        else if (IsPriceOutlier(totalPrice, quantity, basePrice, options.PriceOutlierThreshold))
            flags |= SaleFlags.PriceOutlier;

        var sale = new NormalizedSale(
            row.SourceLine,
            transactionId,
            AsciiText.TrimToNull(row.CustomerId),
            productId,
            saleDate,
            quantity,
            totalPrice,
            channel,
            flags,
            row.RawText,
            row.FirstOccurrence);
        return SaleOutcome.Accept(sale);
    }

    public SaleNormalizerOptions Options => options;

    /// <summary>
    /// SPEC: <c>| |total_price| / |quantity| − base_price | / base_price &gt; threshold</c>, not checked when the base
    /// price is 0. Compared without division (both sides multiplied by <c>|quantity| × base_price &gt; 0</c>), so a
    /// deviation of exactly the threshold is never pushed over it by a rounded quotient.
    /// </summary>
    public static bool IsPriceOutlier(decimal totalPrice, int quantity, decimal basePrice, decimal threshold)
    {
        if (basePrice <= 0m || quantity == 0)
            return false;
        decimal units = Math.Abs((long)quantity);
        return Math.Abs(Math.Abs(totalPrice) - (units * basePrice)) > threshold * basePrice * units;
    }

    private static DateTime LatestAllowed(DateTimeOffset asOf)
    {
        var asOfUtc = asOf.UtcDateTime;
        return asOfUtc > DateTime.MaxValue.AddDays(-1) ? DateTime.MaxValue : asOfUtc.AddDays(1);
    }
}
