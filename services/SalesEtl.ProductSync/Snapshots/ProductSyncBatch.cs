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
