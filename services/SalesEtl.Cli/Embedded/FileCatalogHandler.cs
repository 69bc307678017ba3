using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SalesEtl.Catalog.Products;

namespace SalesEtl.Cli.Embedded;

/// <summary>
/// The catalog stand-in's <c>GET /products?page=&amp;pageSize=</c> served in-process from the products file (the same
/// <see cref="ProductCatalog"/> and page shape as services/SalesEtl.Catalog), as the primary handler of product-sync's
/// HTTP client: its Refit client, resilience pipeline and reader run unchanged, without a port.
/// </summary>
public sealed class FileCatalogHandler(ProductCatalog catalog) : HttpMessageHandler
{
    /// <summary>The products URL an embedded run names; only this handler ever answers it.</summary>
    public const string BaseUrl = "http://embedded-catalog";

    static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Method != HttpMethod.Get || request.RequestUri?.AbsolutePath != "/products")
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound) { RequestMessage = request });

        var query = System.Web.HttpUtility.ParseQueryString(request.RequestUri.Query);
        var page = int.TryParse(query["page"], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p >= 1 ? p : 1;
        var pageSize = int.TryParse(query["pageSize"], NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s is >= 1 and <= ProductEndpoints.MaxPageSize
            ? s : ProductEndpoints.DefaultPageSize;
        var body = new ProductPageResponse(catalog.GetPage(page, pageSize), page, pageSize, catalog.Count);
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = JsonContent.Create(body, options: Web), RequestMessage = request });
    }
}
