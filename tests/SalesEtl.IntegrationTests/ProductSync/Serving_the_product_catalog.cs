using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SalesEtl.IntegrationTests.ProductSync;

/// <summary>A catalog process serving a bare-array file of 7 items, messy ones included.</summary>
public sealed class CatalogOfSevenMessyItems : IAsyncLifetime
{
    readonly CatalogFile files = new();

    public static readonly JsonNode[] Items =
    [
        .. CatalogFile.Items(5),
        JsonNode.Parse("""{"product_id": "  p-messy ", "base_price": "12,50", "stock_quantity": -3}""")!,
        JsonNode.Parse("""{"product_name": "no id at all"}""")!,
    ];

    public CatalogProcess Catalog { get; private set; } = null!;

    public async Task InitializeAsync() => Catalog = await CatalogProcess.StartAsync(files.WriteBareArray("products.json", Items));

    public async Task DisposeAsync()
    {
        await Catalog.DisposeAsync();
        files.Dispose();
    }
}

/// <summary>The catalog stand-in's own contract (SPEC §2 page shape, §6 faults).</summary>
public sealed class Serving_the_product_catalog(CatalogOfSevenMessyItems fixture) : IClassFixture<CatalogOfSevenMessyItems>, IAsyncLifetime, IDisposable
{
    readonly CatalogProcess catalog = fixture.Catalog;
    readonly HttpClient http = new() { BaseAddress = fixture.Catalog.BaseUrl };

    public Task InitializeAsync() => catalog.ClearFaultsAsync();

    public Task DisposeAsync() => catalog.ClearFaultsAsync();

    public void Dispose() => http.Dispose();

    [Fact]
    public async Task Should_serve_pages_of_the_raw_items()
    {
        var page = await http.GetFromJsonAsync<JsonElement>("/products?page=2&pageSize=3");

        Assert.Equal(2, page.GetProperty("page").GetInt32());
        Assert.Equal(3, page.GetProperty("pageSize").GetInt32());
        Assert.Equal(7, page.GetProperty("totalCount").GetInt32());
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(3, items.Count);
        // Passed through untouched: the messy item keeps its spaces, case and comma.
        Assert.True(JsonNode.DeepEquals(CatalogOfSevenMessyItems.Items[5], JsonNode.Parse(items[2].GetRawText())));
    }

    [Fact]
    public async Task Should_default_to_the_first_page_of_100()
    {
        var page = await http.GetFromJsonAsync<JsonElement>("/products");

        Assert.Equal((1, 100, 7), (page.GetProperty("page").GetInt32(), page.GetProperty("pageSize").GetInt32(), page.GetProperty("items").GetArrayLength()));
    }

    [Fact]
    public async Task Should_serve_an_empty_page_past_the_end()
    {
        var page = await http.GetFromJsonAsync<JsonElement>("/products?page=9&pageSize=3");

        Assert.Equal(0, page.GetProperty("items").GetArrayLength());
        Assert.Equal(7, page.GetProperty("totalCount").GetInt32());
    }

    [Theory]
    [InlineData("page=0", "page")]
    [InlineData("page=x", "page")]
    [InlineData("pageSize=1001", "pageSize")]
    [InlineData("pageSize=-1", "pageSize")]
    public async Task Should_answer_bad_paging_with_a_problem(string query, string parameter)
    {
        using var response = await http.GetAsync($"/products?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _));
    }

    [Fact]
    public async Task Should_answer_429_with_Retry_After_for_the_next_requests_only()
    {
        await catalog.SetFaultsAsync(new { failNext = 2, statusCode = 429, retryAfterSeconds = 7 });

        using var first = await http.GetAsync("/products");
        using var second = await http.GetAsync("/products");
        using var third = await http.GetAsync("/products");

        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.OK], new[] { first.StatusCode, second.StatusCode, third.StatusCode });
        Assert.Equal(TimeSpan.FromSeconds(7), first.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task Should_cut_a_truncated_page_in_half()
    {
        var whole = await http.GetStringAsync("/products?pageSize=5");
        await catalog.SetFaultsAsync(new { truncateNext = 1 });

        var truncated = await http.GetStringAsync("/products?pageSize=5");

        Assert.Equal(whole[..(whole.Length / 2)], truncated);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(truncated));
    }

    [Fact]
    public async Task Should_answer_invalid_json_when_asked_to()
    {
        await catalog.SetFaultsAsync(new { invalidJsonRate = 1.0 });

        var body = await http.GetStringAsync("/products");

        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body));
    }

    [Fact]
    public async Task Should_keep_health_and_faults_out_of_the_faults()
    {
        await catalog.SetFaultsAsync(new { failureRate = 1.0, statusCode = 500 });

        using var health = await http.GetAsync("/health/ready");
        using var products = await http.GetAsync("/products");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, products.StatusCode);
    }

    [Fact]
    public async Task Should_refuse_fault_settings_out_of_range()
    {
        using var response = await http.PostAsJsonAsync("/faults", new { failureRate = 2.0, statusCode = 200 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("failureRate", out _));
        Assert.True(errors.TryGetProperty("statusCode", out _));
    }

    [Fact]
    public async Task Should_apply_the_faults_configured_at_start()
    {
        using var files = new CatalogFile();
        await using var slow = await CatalogProcess.StartAsync(
            files.Write("products.json", CatalogFile.Items(1)),
            new Dictionary<string, string> { ["Catalog__Faults__FailNext"] = "1", ["Catalog__Faults__StatusCode"] = "500" });
        using var client = new HttpClient { BaseAddress = slow.BaseUrl };

        using var first = await client.GetAsync("/products");
        using var second = await client.GetAsync("/products");

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }
}
