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

/// <summary>
/// An accepted record's normalized values as spans, without a string each: what <see cref="NormalizedSale"/> holds
/// apart from the line, the raw text and the first-occurrence mark. The spans point into the record's texts (ids
/// trimmed) and into the caller's buffer (the upper-cased product id).
/// </summary>
public readonly ref struct SaleValues
{
    public SaleValues(ReadOnlySpan<char> transactionId, ReadOnlySpan<char> customerId, ReadOnlySpan<char> productId,
        DateTime saleDateUtc, int quantity, decimal totalPrice, string channel, SaleFlags flags)
    {
        TransactionId = transactionId;
        CustomerId = customerId;
        ProductId = productId;
        SaleDateUtc = saleDateUtc;
        Quantity = quantity;
        TotalPrice = totalPrice;
        Channel = channel;
        Flags = flags;
    }

    public ReadOnlySpan<char> TransactionId { get; }

    /// <summary>Empty for an anonymous sale (<see cref="NormalizedSale.CustomerId"/> null).</summary>
    public ReadOnlySpan<char> CustomerId { get; }

    public ReadOnlySpan<char> ProductId { get; }

    public DateTime SaleDateUtc { get; }

    public int Quantity { get; }

    public decimal TotalPrice { get; }

    public string Channel { get; }

    public SaleFlags Flags { get; }
}

/// <summary>Applies rules 1–9 and the normalizations of SPEC §1 to one record; pure.</summary>
public sealed class SaleNormalizer(SaleNormalizerOptions options)
{
    /// <param name="basePrices">The run's product snapshot: upper-cased product id → base price.</param>
    public SaleOutcome Normalize(RawSale row, DateTimeOffset asOf, IReadOnlyDictionary<string, decimal> basePrices)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(basePrices);
        Span<char> productIdBuffer = stackalloc char[64];
        var reason = Normalize(row.Malformed, row.TransactionId, row.CustomerId, row.ProductId, row.SaleDate, row.Quantity, row.TotalPrice,
            row.SalesChannel, asOf, basePrices, productIdBuffer, out var values);
        if (reason is not null)
            return SaleOutcome.Reject(reason);
        return SaleOutcome.Accept(new NormalizedSale(
            row.SourceLine,
            SameOrNew(row.TransactionId!, values.TransactionId),
            values.CustomerId.IsEmpty ? null : SameOrNew(row.CustomerId!, values.CustomerId),
            values.ProductId.ToString(),
            values.SaleDateUtc,
            values.Quantity,
            values.TotalPrice,
            values.Channel,
            values.Flags,
            row.RawText,
            row.FirstOccurrence));
    }

    /// <summary>
    /// Rules 1–9 and the normalizations on a record's texts (a null text is empty): null and <paramref name="values"/>
    /// when it is accepted, else the reject reason. <see cref="Normalize(RawSale, DateTimeOffset, IReadOnlyDictionary{string, decimal})"/>
    /// is this with strings; the transformer calls it with the texts of a staged record, decoded into one buffer, so that
    /// an accepted record costs no string. <paramref name="productIdBuffer"/> takes the upper-cased product id when it
    /// fits (else an array is allocated).
    /// </summary>
    public string? Normalize(bool malformed, ReadOnlySpan<char> transactionId, ReadOnlySpan<char> customerId, ReadOnlySpan<char> productId,
        ReadOnlySpan<char> saleDate, ReadOnlySpan<char> quantityText, ReadOnlySpan<char> totalPriceText, ReadOnlySpan<char> salesChannel,
        DateTimeOffset asOf, IReadOnlyDictionary<string, decimal> basePrices, Span<char> productIdBuffer, out SaleValues values)
    {
        ArgumentNullException.ThrowIfNull(basePrices);
        values = default;

        // Rule 1.
        if (malformed)
            return RejectReasons.MalformedRow;

        // Rules 2 and 3.
        var id = AsciiText.Trim(transactionId);
        if (id.IsEmpty)
            return RejectReasons.MissingTransactionId;
        var product = AsciiText.Trim(productId);
        if (product.IsEmpty)
            return RejectReasons.MissingProductId;
        var upper = product.Length <= productIdBuffer.Length ? productIdBuffer[..product.Length] : new char[product.Length];
        product.ToUpperInvariant(upper);

        // Rules 4 and 5: strictly later than as-of + 24 h is in the future.
        if (!SaleDateParser.TryParse(saleDate, out var date))
            return RejectReasons.InvalidSaleDate;
        if (date > LatestAllowed(asOf))
            return RejectReasons.FutureSaleDate;

        // Rules 6 and 7.
        if (!AmountParser.TryParseQuantity(quantityText, out var quantity))
            return RejectReasons.InvalidQuantity;
        if (quantity == 0)
            return RejectReasons.ZeroQuantity;

        // Rules 8 and 9, then imputation and sign correction.
        var flags = SaleFlags.None;
        var known = TryGetBasePrice(basePrices, upper, out var basePrice);
        decimal totalPrice;
        switch (AmountParser.TryParseMoney(totalPriceText, out var parsed))
        {
            case MoneyParseStatus.Invalid:
                return RejectReasons.InvalidTotalPrice;
            case MoneyParseStatus.Empty when !known:
                return RejectReasons.MissingTotalPrice;
            case MoneyParseStatus.Empty:
                totalPrice = AmountParser.RoundMoney(quantity * basePrice);
                if (Math.Abs(totalPrice) > AmountParser.MaxMoney)
                    return RejectReasons.InvalidTotalPrice;
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

        if (!SalesChannels.TryCanonicalize(salesChannel, out var channel))
            flags |= SaleFlags.UnknownChannel;
        if (!known)
            flags |= SaleFlags.UnknownProduct;
        else if (IsPriceOutlier(totalPrice, quantity, basePrice, options.PriceOutlierThreshold))
            flags |= SaleFlags.PriceOutlier;

        values = new SaleValues(id, AsciiText.Trim(customerId), upper, date, quantity, totalPrice, channel, flags);
        return null;
    }

    // The snapshot's prices are a Dictionary keyed by string: looked up by the span itself, no string made for it.
    static bool TryGetBasePrice(IReadOnlyDictionary<string, decimal> prices, ReadOnlySpan<char> productId, out decimal price)
    {
        if (prices is Dictionary<string, decimal> dictionary && dictionary.TryGetAlternateLookup<ReadOnlySpan<char>>(out var lookup))
            return lookup.TryGetValue(productId, out price);
        return prices.TryGetValue(productId.ToString(), out price);
    }

    // The text itself when trimming left it whole (most ids), so that the string path allocates no copy.
    static string SameOrNew(string text, ReadOnlySpan<char> trimmed) => trimmed.Length == text.Length ? text : trimmed.ToString();

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
