using System.Text.Json;
using Refit;

namespace SalesEtl.ProductSync.Catalog;

/// <summary>The product API of SPEC §2. Items stay raw JSON here: normalizing them is the pipeline's job.</summary>
public interface IProductCatalogApi
{
    /// <summary>One page. Errors come back in the response (status, unreadable body) rather than as exceptions, so the reader can tell them apart.</summary>
    [Get("/products")]
    Task<IApiResponse<ProductPage>> GetProductsAsync([AliasAs("page")] int page, [AliasAs("pageSize")] int pageSize, CancellationToken cancellationToken);
}

/// <param name="Items">Null when the body has no <c>items</c> array.</param>
public sealed record ProductPage(List<JsonElement>? Items, int Page, int PageSize, int TotalCount);
