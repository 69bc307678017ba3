using System.Text.Json;

namespace SalesEtl.Catalog.Products;

/// <summary>
/// The items of the products file, kept as the raw JSON they were written in: this is the messy
/// upstream, so nothing is normalized, checked or reordered.
/// </summary>
public sealed class ProductCatalog
{
    readonly JsonElement[] items;

    ProductCatalog(string path, JsonElement[] items)
    {
        Path = path;
        this.items = items;
    }

    public string Path { get; }

    public int Count => items.Length;

    /// <summary>Page <paramref name="page"/> (1-based); past the end it is empty.</summary>
    public ArraySegment<JsonElement> GetPage(int page, int pageSize)
    {
        var start = (long)(page - 1) * pageSize;
        if (start >= items.Length)
            return ArraySegment<JsonElement>.Empty;
        return new ArraySegment<JsonElement>(items, (int)start, (int)Math.Min(pageSize, items.Length - start));
    }

    public static ProductCatalog Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Products file '{path}' (Catalog:ProductsFile) does not exist.", path);

        using var stream = File.OpenRead(path);
        // The document is never disposed: its elements are served for the life of the process.
        var document = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        var root = document.RootElement;
        var array = root.ValueKind switch
        {
            JsonValueKind.Array => root,
            JsonValueKind.Object when root.TryGetProperty("items", out var inner) && inner.ValueKind == JsonValueKind.Array => inner,
            _ => throw new InvalidDataException($"Products file '{path}' must hold a JSON array of items or an object with an 'items' array."),
        };
        return new ProductCatalog(path, [.. array.EnumerateArray()]);
    }
}
