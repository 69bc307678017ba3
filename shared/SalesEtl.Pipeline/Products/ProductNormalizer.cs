using System.Text.Json;

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
public sealed record ProductNormalization(NormalizedProduct? Product, string? RejectReason, bool StockInvalid);

public static class ProductRejectReasons
{
    public const string NotAnObject = "not_an_object";
    public const string MissingProductId = "missing_product_id";
    public const string InvalidBasePrice = "invalid_base_price";
    public const string NegativeBasePrice = "negative_base_price";
}

/// <summary>SPEC §2 item rules; pure.</summary>
public static class ProductNormalizer
{
    public static ProductNormalization Normalize(JsonElement item) => throw new NotImplementedException();
}
