using System.Globalization;
using System.Text.Json;

namespace SalesEtl.EndToEnd.Tests.Reference;

/// <summary>Reads a products file (a bare array, or an object with an <c>items</c> array) per SPEC §2.</summary>
public static class ReferenceProducts
{
    public const string MissingProductId = "missing_product_id";
    public const string InvalidBasePrice = "invalid_base_price";
    public const string NegativeBasePrice = "negative_base_price";
    public const string NotAnObject = "not_an_object";

    public static ProductLoadResult Load(string productsJsonPath)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(productsJsonPath));
        var root = document.RootElement;
        var items = root.ValueKind switch
        {
            JsonValueKind.Array => root,
            JsonValueKind.Object when root.TryGetProperty("items", out var inner) && inner.ValueKind == JsonValueKind.Array => inner,
            _ => throw new InvalidDataException("The products file is neither a JSON array nor an object with an \"items\" array."),
        };

        var products = new Dictionary<string, ReferenceProduct>(StringComparer.Ordinal);
        // Ids whose kept item had an invalid stock: a replaced item's invalid stock is not counted.
        var invalidStock = new HashSet<string>(StringComparer.Ordinal);
        var rejects = new List<ProductReject>();
        var duplicates = 0;
        var itemNo = 0;
        foreach (var item in items.EnumerateArray())
        {
            itemNo++;
            if (item.ValueKind != JsonValueKind.Object)
            {
                rejects.Add(new ProductReject(itemNo, null, NotAnObject));
                continue;
            }

            var id = Id(item);
            if (id is null)
            {
                rejects.Add(new ProductReject(itemNo, null, MissingProductId));
                continue;
            }

            var (price, priceReason) = BasePrice(item);
            if (price is null)
            {
                rejects.Add(new ProductReject(itemNo, id, priceReason!));
                continue;
            }

            var (stock, stockInvalid) = StockQuantity(item);
            if (stockInvalid)
                invalidStock.Add(id);
            else
                invalidStock.Remove(id);

            if (products.ContainsKey(id))
                duplicates++;
            products[id] = new ReferenceProduct(
                id,
                ReferenceValues.CleanText(Text(item, "product_name")),
                ReferenceValues.TitleCase(ReferenceValues.CleanText(Text(item, "category"))),
                ReferenceValues.CleanText(Text(item, "manufacturer")),
                price.Value,
                stock);
        }

        return new ProductLoadResult(products, itemNo, rejects, duplicates, invalidStock.Count);
    }

    private static string? Id(JsonElement item)
    {
        var text = Text(item, "product_id");
        if (text is null)
            return null;
        var id = ReferenceValues.TrimAscii(text).ToUpperInvariant();
        return id.Length == 0 ? null : id;
    }

    /// <summary>A string as is, a number as its JSON text; anything else is no value.</summary>
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

    /// <summary>The price, or null and the reason: invalid (missing, no number, too large) or negative (before rounding).</summary>
    private static (decimal? Price, string? Reason) BasePrice(JsonElement item)
    {
        if (!item.TryGetProperty("base_price", out var value) || !TryNumber(value, allowExponent: true, out var price))
            return (null, InvalidBasePrice);
        if (price < 0)
            return (null, NegativeBasePrice);
        var rounded = ReferenceValues.RoundMoney(price);
        return rounded >= ReferenceValues.MoneyLimit ? (null, InvalidBasePrice) : (rounded, null);
    }

    /// <summary>
    /// Null when absent, JSON null or an empty string (not counted); null and invalid when present but not a whole
    /// number ≥ 0 (a numeric string takes no exponent, like a sales quantity).
    /// </summary>
    private static (int? Stock, bool Invalid) StockQuantity(JsonElement item)
    {
        if (!item.TryGetProperty("stock_quantity", out var value) || value.ValueKind == JsonValueKind.Null)
            return (null, false);
        if (value.ValueKind == JsonValueKind.String && ReferenceValues.TrimAscii(value.GetString()!).Length == 0)
            return (null, false);
        if (!TryNumber(value, allowExponent: false, out var stock) || stock < 0 || stock != decimal.Truncate(stock) || stock > int.MaxValue)
            return (null, true);
        return ((int)stock, false);
    }

    /// <summary>A JSON number, or a string holding a decimal number (trimmed), with an exponent if allowed.</summary>
    private static bool TryNumber(JsonElement value, bool allowExponent, out decimal number)
    {
        number = 0;
        return value.ValueKind switch
        {
            JsonValueKind.Number => decimal.TryParse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out number),
            JsonValueKind.String => TryNumberText(ReferenceValues.TrimAscii(value.GetString()!), allowExponent, out number),
            _ => false,
        };
    }

    private static bool TryNumberText(string text, bool allowExponent, out decimal number)
    {
        number = 0;
        var exponent = text.IndexOfAny(['e', 'E']);
        if (exponent < 0)
            return ReferenceValues.TryParsePlainDecimal(text, out number);
        if (!allowExponent || !ReferenceValues.TryParsePlainDecimal(text[..exponent], out _)
            || !int.TryParse(text[(exponent + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            return false;
        }
        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number);
    }
}
