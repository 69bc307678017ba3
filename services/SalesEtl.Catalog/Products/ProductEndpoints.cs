using System.Globalization;
using System.Text.Json;

namespace SalesEtl.Catalog.Products;

/// <summary>The page shape of SPEC §2.</summary>
public sealed record ProductPageResponse(IReadOnlyList<JsonElement> Items, int Page, int PageSize, int TotalCount);

public static class ProductEndpoints
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public static WebApplication MapProductEndpoints(this WebApplication app)
    {
        app.MapGet("/products", GetProducts);
        return app;
    }

    // Parameters are taken as text so that a bad value gets a problem JSON naming it, not an empty 400.
    static IResult GetProducts(string? page, string? pageSize, ProductCatalog catalog)
    {
        var errors = new Dictionary<string, string[]>();
        var pageNo = Parse(page, "page", 1, 1, int.MaxValue, errors);
        var size = Parse(pageSize, "pageSize", DefaultPageSize, 1, MaxPageSize, errors);
        if (errors.Count > 0)
            return Results.ValidationProblem(errors, detail: "Bad paging parameters.");

        return Results.Ok(new ProductPageResponse(catalog.GetPage(pageNo, size), pageNo, size, catalog.Count));
    }

    static int Parse(string? text, string name, int fallback, int min, int max, Dictionary<string, string[]> errors)
    {
        if (text is null)
            return fallback;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            return value;
        errors[name] = [$"'{name}' must be a whole number from {min} to {max}; got '{text}'."];
        return fallback;
    }
}
