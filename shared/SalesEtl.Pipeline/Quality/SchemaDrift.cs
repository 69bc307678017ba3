using SalesEtl.Pipeline.Products;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Pipeline.Quality;

/// <summary>How the sales file's header differs from SPEC §1's seven columns in SPEC order.</summary>
/// <param name="Columns">Every header name as written (trimmed), in file order.</param>
/// <param name="ExtraColumns">Names that are not required columns, or repeat one; ignored by the rules.</param>
/// <param name="RequiredInSpecOrder">False when the required columns stand in another order (allowed, but drift).</param>
public sealed record SalesFileDrift(IReadOnlyList<string> Columns, IReadOnlyList<string> ExtraColumns, bool RequiredInSpecOrder)
{
    public bool HasDrift => ExtraColumns.Count > 0 || !RequiredInSpecOrder;
}

/// <summary>How the product API's items differ from SPEC §2's fields, over one sync.</summary>
/// <param name="Items">Items that were JSON objects.</param>
/// <param name="AddedFields">Fields SPEC §2 does not name, carried by at least one item (ordinal order).</param>
/// <param name="MissingFields">SPEC §2 fields that no item carried.</param>
/// <param name="PartialFields">SPEC §2 fields that some items carried and others did not, with how many carried them.</param>
public sealed record ProductApiDrift(
    int Items,
    IReadOnlyList<string> AddedFields,
    IReadOnlyList<string> MissingFields,
    IReadOnlyDictionary<string, int> PartialFields)
{
    public bool HasDrift => AddedFields.Count > 0 || MissingFields.Count > 0;
}

/// <summary>Schema drift of a run (SPEC §4 report): its sales file's header and its product sync's item fields.</summary>
public static class SchemaDrift
{
    /// <summary>The item fields of SPEC §2, in SPEC order.</summary>
    public static IReadOnlyList<string> ExpectedProductFields { get; } =
    [
        ProductFields.ProductId, ProductFields.ProductName, ProductFields.Category, ProductFields.Manufacturer,
        ProductFields.BasePrice, ProductFields.StockQuantity,
    ];

    /// <summary>The required sales columns of SPEC §1, in SPEC order.</summary>
    public static IReadOnlyList<string> ExpectedSalesColumns => SalesColumns.Required;

    /// <param name="fieldCounts">Field name as written → object items that carried it.</param>
    public static ProductApiDrift CompareProductFields(int objectItems, IReadOnlyDictionary<string, int> fieldCounts)
    {
        ArgumentNullException.ThrowIfNull(fieldCounts);
        var added = fieldCounts.Keys.Where(f => !ExpectedProductFields.Contains(f, StringComparer.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        var missing = objectItems == 0
            ? []
            : ExpectedProductFields.Where(f => fieldCounts.GetValueOrDefault(f) == 0).ToList();
        var partial = ExpectedProductFields
            .Where(f => fieldCounts.GetValueOrDefault(f) is > 0 and var n && n < objectItems)
            .ToDictionary(f => f, f => fieldCounts[f], StringComparer.Ordinal);
        return new ProductApiDrift(objectItems, added, missing, partial);
    }
}
