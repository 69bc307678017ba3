using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SalesEtl.ProductSync.Catalog;

namespace SalesEtl.IntegrationTests.ProductSync;

/// <summary>
/// A product API whose pages are JSON of the wrong shape or types (not the catalog stand-in: it always answers the
/// SPEC's shape). Such a page is unreadable: read again, then the sync fails with the reason; it never throws.
/// </summary>
public sealed class Reading_pages_of_the_wrong_shape : IAsyncLifetime
{
    WebApplication api = null!;
    string body = "";
    int requests;

    Uri BaseUrl => new(api.Urls.Single());

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{FreePort()}");
        api = builder.Build();
        api.MapGet("/products", () =>
        {
            Interlocked.Increment(ref requests);
            return Results.Text(body, "application/json");
        });
        await api.StartAsync();
    }

    public async Task DisposeAsync() => await api.DisposeAsync();

    [Theory]
    [InlineData("""{"items": {"product_id": "P1"}, "page": 1, "pageSize": 5, "totalCount": 1}""")]
    [InlineData("""{"items": [], "page": 1, "pageSize": 5, "totalCount": "many"}""")]
    [InlineData("""{"items": [{"product_id": "P1", "base_price": 1}], "page": 1.5, "pageSize": 5, "totalCount": 1}""")]
    [InlineData("""[{"product_id": "P1", "base_price": 1}]""")]
    [InlineData("""{"page": 1, "pageSize": 5, "totalCount": 1}""")]
    [InlineData("""{"items": null, "page": 1, "pageSize": 5, "totalCount": 1}""")]
    public async Task Should_fail_with_the_reason_after_reading_the_page_again(string page)
    {
        body = page;

        var (result, items) = await ReadAsync();

        Assert.False(result.Succeeded);
        Assert.StartsWith($"Product API {BaseUrl} returned an unreadable page 1 3 times in a row (truncated or invalid JSON): ", result.FailureReason, StringComparison.Ordinal);
        Assert.Empty(items);
        Assert.Equal(3, requests);
    }

    [Fact]
    public async Task Should_read_page_numbers_written_as_strings()
    {
        body = """{"items": [{"product_id": "P1", "base_price": 1}, 42], "page": "1", "pageSize": "5", "totalCount": "2"}""";

        var (result, items) = await ReadAsync();

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(2, items.Count);
        Assert.Equal(JsonValueKind.Number, items[1].ValueKind); // not an object: rejected later by the normalizer
    }

    async Task<(CatalogReadResult Result, List<JsonElement> Items)> ReadAsync()
    {
        await using var services = ProductSyncServices.Build();
        var reader = services.GetRequiredService<ProductCatalogReader>();
        var items = new List<JsonElement>();
        var result = await reader.ReadAllAsync(BaseUrl, items.AddRange, CancellationToken.None);
        return (result, items);
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
