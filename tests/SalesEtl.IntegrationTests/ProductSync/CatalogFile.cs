using System.Text.Json;
using System.Text.Json.Nodes;

namespace SalesEtl.IntegrationTests.ProductSync;

/// <summary>Products files and raw API items for the tests, in a temporary folder removed at the end.</summary>
public sealed class CatalogFile : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("etl-catalog-").FullName;

    public string Folder => folder;

    /// <summary>Writes a products file in the <c>{"items": [...]}</c> shape and returns its path.</summary>
    public string Write(string name, IEnumerable<JsonNode> items)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, new JsonObject { ["items"] = new JsonArray([.. items]) }.ToJsonString());
        return path;
    }

    /// <summary>Writes a products file that is a bare JSON array of items.</summary>
    public string WriteBareArray(string name, IEnumerable<JsonNode> items)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, new JsonArray([.. items]).ToJsonString());
        return path;
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>A clean item whose normalized form is itself (upper-case id, trimmed text, Title Case category, cents).</summary>
    public static JsonNode Item(string productId, decimal basePrice, string? name = null, string? category = "Tools", string? manufacturer = "Acme", int? stock = 10) =>
        new JsonObject
        {
            ["product_id"] = productId,
            ["product_name"] = name ?? $"Product {productId}",
            ["category"] = category,
            ["manufacturer"] = manufacturer,
            ["base_price"] = basePrice,
            ["stock_quantity"] = stock,
        };

    public static IEnumerable<JsonNode> Items(int count) =>
        Enumerable.Range(1, count).Select(i => Item($"P-{i:D4}", 10m + i));

    public static JsonElement Element(JsonNode node) => JsonSerializer.SerializeToElement(node);

    public static JsonElement Element(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
