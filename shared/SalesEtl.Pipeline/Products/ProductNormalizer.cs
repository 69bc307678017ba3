using System.Globalization;
using System.Text.Json;
using SalesEtl.Pipeline.Sales;
using SalesEtl.Pipeline.Text;

namespace SalesEtl.Pipeline.Products;

/// <summary>A product item after the normalization of SPEC §2.</summary>
public sealed record NormalizedProduct(
    string ProductId,
    string? ProductName,
    string? Category,
    string? Manufacturer,
    decimal BasePrice,
    int? StockQuantity);

/// <summary>Either a product (with <see cref="StockInvalid"/> when its stock became null) or a reject reason.</summary>
public sealed record ProductNormalization(NormalizedProduct? Product, string? RejectReason, bool StockInvalid)
{
    /// <summary>For a rejected item that has an id (its base price is wrong), that id normalized; otherwise null.</summary>
    public string? RejectedProductId { get; init; }

    public static ProductNormalization Reject(string reason, string? productId = null) =>
        new(null, reason, false) { RejectedProductId = productId };
}

/// <summary>Reject reason codes of product items (SPEC §2).</summary>
public static class ProductRejectReasons
{
    public const string NotAnObject = "not_an_object";
    public const string MissingProductId = "missing_product_id";
    public const string InvalidBasePrice = "invalid_base_price";
    public const string NegativeBasePrice = "negative_base_price";
}

/// <summary>Names of the product item fields (SPEC §2).</summary>
public static class ProductFields
{
    public const string ProductId = "product_id";
    public const string ProductName = "product_name";
    public const string Category = "category";
    public const string Manufacturer = "manufacturer";
    public const string BasePrice = "base_price";
    public const string StockQuantity = "stock_quantity";
}

/// <summary>SPEC §2 item rules; pure.</summary>
public static class ProductNormalizer
{
    /// <summary>
    /// Rules, in order: not an object → <c>not_an_object</c>; no usable <c>product_id</c> (missing, null, empty after
    /// trimming, or not a string or number) → <c>missing_product_id</c>; <c>base_price</c> missing, not a number or
    /// numeric string, or beyond <c>numeric(18,2)</c> → <c>invalid_base_price</c>; below 0 →
    /// <c>negative_base_price</c>. An invalid <c>stock_quantity</c> becomes null with <see cref="ProductNormalization.StockInvalid"/>.
    /// </summary>
    public static ProductNormalization Normalize(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
            return ProductNormalization.Reject(ProductRejectReasons.NotAnObject);

        var productId = AsciiText.TrimToNull(Text(item, ProductFields.ProductId))?.ToUpperInvariant();
        if (productId is null)
            return ProductNormalization.Reject(ProductRejectReasons.MissingProductId);

        if (!TryGetNumber(item, ProductFields.BasePrice, out var basePrice))
            return ProductNormalization.Reject(ProductRejectReasons.InvalidBasePrice, productId);
        if (basePrice < 0m)
            return ProductNormalization.Reject(ProductRejectReasons.NegativeBasePrice, productId);
        basePrice = AmountParser.RoundMoney(basePrice);
        if (basePrice > AmountParser.MaxMoney)
            return ProductNormalization.Reject(ProductRejectReasons.InvalidBasePrice, productId);

        var stockValid = TryGetStock(item, out var stock);
        var product = new NormalizedProduct(
            productId,
            AsciiText.CollapseToNull(Text(item, ProductFields.ProductName)),
            TitleCase(AsciiText.CollapseToNull(Text(item, ProductFields.Category))),
            AsciiText.CollapseToNull(Text(item, ProductFields.Manufacturer)),
            basePrice,
            stock);
        return new ProductNormalization(product, null, !stockValid);
    }

    /// <summary>Lower-cases all, then upper-cases the first letter of each space-separated word.</summary>
    public static string? TitleCase(string? text)
    {
        if (text is null)
            return null;
        return string.Create(text.Length, text, static (destination, source) =>
        {
            var startOfWord = true;
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                destination[i] = startOfWord ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c);
                startOfWord = c == ' ';
            }
        });
    }

    // A string as it is, a number as written in the JSON; anything else (null, true, an object) is no text.
    private static string? Text(JsonElement item, string name)
    {
        if (!item.TryGetProperty(name, out var value))
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
    }

    private static bool TryGetNumber(JsonElement item, string name, out decimal number)
    {
        number = 0m;
        if (!item.TryGetProperty(name, out var value))
            return false;
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetDecimal(out number),
            JsonValueKind.String => decimal.TryParse(
                AsciiText.Trim(value.GetString().AsSpan()), NumberStyles.Float, CultureInfo.InvariantCulture, out number),
            _ => false,
        };
    }

    // Missing, null or an empty string: no stock, and valid. Otherwise a whole number from 0 to int.MaxValue.
    private static bool TryGetStock(JsonElement item, out int? stock)
    {
        stock = null;
        if (!item.TryGetProperty(ProductFields.StockQuantity, out var value) || value.ValueKind == JsonValueKind.Null)
            return true;
        int whole;
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                if (!value.TryGetDecimal(out var number) || number != decimal.Truncate(number)
                    || number < 0m || number > int.MaxValue)
                {
                    return false;
                }
                whole = (int)number;
                break;
            case JsonValueKind.String:
                var text = AsciiText.Trim(value.GetString().AsSpan());
                if (text.IsEmpty)
                    return true;
                if (!AmountParser.TryParseQuantity(text, out whole) || whole < 0)
                    return false;
                break;
            default:
                return false;
        }
        stock = whole;
        return true;
    }
}
