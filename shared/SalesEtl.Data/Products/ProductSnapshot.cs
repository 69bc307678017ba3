namespace SalesEtl.Data.Products;

/// <summary>One sync of the product API: the snapshot a run's facts are enriched with.</summary>
public sealed class ProductSnapshot
{
    public long SnapshotId { get; set; }
    public Guid RunId { get; set; }
    public string SourceUrl { get; set; } = "";
    public DateTimeOffset TakenAt { get; set; }
    public int ItemsRead { get; set; }
    public int ProductCount { get; set; }
    public int RejectedCount { get; set; }
    public int DuplicateCount { get; set; }
    public int InvalidStockCount { get; set; }
    public int Added { get; set; }
    public int Changed { get; set; }
    public int Deactivated { get; set; }
}

/// <summary>
/// One version of a product's attributes. A product belongs to snapshot S when
/// <c>ValidFromSnapshot &lt;= S</c> and (<c>ValidToSnapshot</c> is null or greater than S).
/// </summary>
public sealed class ProductVersion
{
    public long VersionId { get; set; }
    public string ProductId { get; set; } = "";
    public string? ProductName { get; set; }
    public string? Category { get; set; }
    public string? Manufacturer { get; set; }
    public decimal BasePrice { get; set; }
    public int? StockQuantity { get; set; }
    public long ValidFromSnapshot { get; set; }
    public long? ValidToSnapshot { get; set; }
    public DateTimeOffset ValidFrom { get; set; }
    public DateTimeOffset? ValidTo { get; set; }
}

/// <summary>A product ever seen; inactive once it disappears from the API (never deleted).</summary>
public sealed class Product
{
    public string ProductId { get; set; } = "";
    public bool IsActive { get; set; }
    public long FirstSeenSnapshot { get; set; }
    public long LastSeenSnapshot { get; set; }
}

/// <summary>An API item that could not become a product, with the reason.</summary>
public sealed class ProductReject
{
    public long SnapshotId { get; set; }
    public int ItemNo { get; set; }
    public string? ProductId { get; set; }
    public string Reason { get; set; } = "";
    public string RawJson { get; set; } = "";
}
