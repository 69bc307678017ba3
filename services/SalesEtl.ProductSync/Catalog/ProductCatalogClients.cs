using System.Text.Json;
using Refit;

namespace SalesEtl.ProductSync.Catalog;

/// <summary>
/// Refit clients of the product API. A run may name its own API, so a client is made per base URL,
/// over the one named <see cref="HttpClient"/> that carries the resilience pipeline (pooled handlers,
/// one circuit breaker per API host).
/// </summary>
public sealed class ProductCatalogClients(IHttpClientFactory httpClients)
{
    public const string HttpClientName = "product-catalog";

    static readonly RefitSettings Settings = new(new SystemTextJsonContentSerializer(new JsonSerializerOptions(JsonSerializerDefaults.Web)));

    public IProductCatalogApi For(Uri baseUrl)
    {
        var http = httpClients.CreateClient(HttpClientName);
        // Refit appends "/products" to the base path: "http://host/api/" must not become "/api//products".
        http.BaseAddress = new Uri(baseUrl.GetLeftPart(UriPartial.Authority) + baseUrl.AbsolutePath.TrimEnd('/'));
        return RestService.For<IProductCatalogApi>(http, Settings);
    }
}
