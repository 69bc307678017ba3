using System.Text.Json;

namespace SalesEtl.Pipeline.Products;

/// <summary>An item of the product API that was not kept.</summary>
/// <param name="ItemNumber">1-based position of the item in API order, over all pages.</param>
/// <param name="ProductId">The normalized id when the item had one.</param>
/// <param name="RawJson">The item as the API sent it.</param>
public sealed record ProductReject(int ItemNumber, string? ProductId, string Reason, string RawJson);

/// <summary>
/// Counts of one sync. <see cref="ItemsRead"/> = <see cref="Products"/> + <see cref="Rejected"/> + <see cref="Duplicates"/>;
/// <see cref="InvalidStock"/> counts the final products whose <c>stock_quantity</c> was invalid and became null.
/// </summary>
public sealed record ProductSnapshotCounts(int ItemsRead, int Products, int Rejected, int Duplicates, int InvalidStock);

/// <summary>The products of one sync after SPEC §2 (one per id), the rejected items and the counts.</summary>
public sealed record ProductSnapshot(
    IReadOnlyList<NormalizedProduct> Products,
    IReadOnlyList<ProductReject> Rejects,
    ProductSnapshotCounts Counts);

/// <summary>
/// Builds a product snapshot from items in API order; pure. The same id twice: the later item wins and the
/// replacement is counted as a duplicate; the product keeps the position of the id's first appearance. A rejected
/// item never replaces an earlier valid one (it only counts as rejected).
/// </summary>
public sealed class ProductSnapshotBuilder
{
    private readonly List<NormalizedProduct> products = [];
    private readonly List<bool> stockInvalid = [];
    private readonly Dictionary<string, int> positions = new(StringComparer.Ordinal);
    private readonly List<ProductReject> rejects = [];
    private int itemsRead;
    private int duplicates;

    /// <summary>Adds the next item in API order.</summary>
    public void Add(JsonElement item)
    {
        itemsRead++;
        var normalization = ProductNormalizer.Normalize(item);
        if (normalization.Product is not { } product)
        {
            rejects.Add(new ProductReject(
                itemsRead, normalization.RejectedProductId, normalization.RejectReason!, item.GetRawText()));
            return;
        }
        if (positions.TryGetValue(product.ProductId, out var position))
        {
            products[position] = product;
            stockInvalid[position] = normalization.StockInvalid;
            duplicates++;
            return;
        }
        positions.Add(product.ProductId, products.Count);
        products.Add(product);
        stockInvalid.Add(normalization.StockInvalid);
    }

    /// <summary>The snapshot of the items added so far.</summary>
    public ProductSnapshot Build()
    {
        var invalidStock = 0;
        foreach (var invalid in stockInvalid)
        {
            if (invalid)
                invalidStock++;
        }
        return new ProductSnapshot(
            products.ToArray(),
            rejects.ToArray(),
            new ProductSnapshotCounts(itemsRead, products.Count, rejects.Count, duplicates, invalidStock));
    }

    /// <summary>Builds the snapshot of items given in API order.</summary>
    public static ProductSnapshot Build(IEnumerable<JsonElement> itemsInApiOrder)
    {
        ArgumentNullException.ThrowIfNull(itemsInApiOrder);
        var builder = new ProductSnapshotBuilder();
        foreach (var item in itemsInApiOrder)
            builder.Add(item);
        return builder.Build();
    }
}
