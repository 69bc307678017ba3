using System.Text.Json;
using SalesEtl.Pipeline.Products;

namespace SalesEtl.ProductSync.Snapshots;

/// <summary>An API item that could not become a product (SPEC §2), kept with its raw JSON.</summary>
public sealed record RejectedItem(int ItemNo, string? ProductId, string Reason, string RawJson);

/// <summary>
/// The items of one sync, normalized as they arrive (page by page) and deduplicated: the same
/// product id twice in one sync keeps the later item and counts a duplicate. Invalid stock is
/// counted over the products that end up in the snapshot.
/// </summary>
public sealed class ProductSyncBatch
{
    readonly Dictionary<string, (NormalizedProduct Product, bool StockInvalid)> products = new(StringComparer.Ordinal);
    readonly List<RejectedItem> rejects = [];
    readonly Dictionary<string, int> fieldCounts = new(StringComparer.Ordinal);

    /// <summary>Distinct field names kept for the schema-drift report; an API sending more is cut off there.</summary>
    public const int MaxTrackedFields = 100;

    /// <summary>How many object items carried each field name (as written), for the schema-drift report.</summary>
    public IReadOnlyDictionary<string, int> FieldCounts => fieldCounts;

    /// <summary>Items that were JSON objects (the denominator of <see cref="FieldCounts"/>).</summary>
    public int ObjectItems { get; private set; }

    public int ItemsRead { get; private set; }

    public int DuplicateCount { get; private set; }

    public int ProductCount => products.Count;

    public int RejectedCount => rejects.Count;

    public int InvalidStockCount => products.Values.Count(p => p.StockInvalid);

    public IEnumerable<NormalizedProduct> Products => products.Values.Select(p => p.Product);

    public IReadOnlyList<RejectedItem> Rejects => rejects;

    public void Add(IEnumerable<JsonElement> items)
    {
        foreach (var item in items)
            Add(item);
    }

    public void Add(JsonElement item)
    {
        var itemNo = ++ItemsRead;
        CountFields(item);
        var normalized = ProductNormalizer.Normalize(item);
        if (normalized.Product is not { } product)
        {
            rejects.Add(new RejectedItem(itemNo, RawProductId(item), normalized.RejectReason ?? "rejected", item.GetRawText()));
            return;
        }

        if (products.ContainsKey(product.ProductId))
            DuplicateCount++;
        products[product.ProductId] = (product, normalized.StockInvalid);
    }

    public static ProductSyncBatch From(IEnumerable<JsonElement> items)
    {
        var batch = new ProductSyncBatch();
        batch.Add(items);
        return batch;
    }

    void CountFields(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
            return;
        ObjectItems++;
        foreach (var property in item.EnumerateObject())
        {
            if (fieldCounts.TryGetValue(property.Name, out var count))
                fieldCounts[property.Name] = count + 1;
            else if (fieldCounts.Count < MaxTrackedFields)
                fieldCounts[property.Name] = 1;
        }
    }

    // For the reject row only: whatever id the item carried, so that a person can find it upstream.
    static string? RawProductId(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("product_id", out var id))
            return null;
        var text = id.ValueKind switch
        {
            JsonValueKind.String => id.GetString(),
            JsonValueKind.Number => id.GetRawText(),
            _ => null,
        };
        return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }
}
