using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SalesEtl.ProductSync;
using SalesEtl.ProductSync.Catalog;

namespace SalesEtl.IntegrationTests.ProductSync;

/// <summary>One catalog process with 23 items for the whole class; each test sets its own faults.</summary>
public sealed class CatalogOf23Items : IAsyncLifetime
{
    public const int ItemCount = 23;

    readonly CatalogFile files = new();

    public CatalogProcess Catalog { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Catalog = await CatalogProcess.StartAsync(files.Write("products.json", CatalogFile.Items(ItemCount)));

    public async Task DisposeAsync()
    {
        await Catalog.DisposeAsync();
        files.Dispose();
    }
}

/// <summary>The reader against the real catalog stand-in and its faults. Page size 5, so 23 items are 5 pages.</summary>
public sealed class Reading_the_product_catalog(CatalogOf23Items fixture) : IClassFixture<CatalogOf23Items>, IAsyncLifetime
{
    readonly CatalogProcess catalog = fixture.Catalog;

    public Task InitializeAsync() => catalog.ClearFaultsAsync();

    public Task DisposeAsync() => catalog.ClearFaultsAsync();

    [Fact]
    public async Task Should_read_every_page_in_order()
    {
        var (result, items) = await ReadAsync(catalog.BaseUrl);

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(5, result.Pages);
        Assert.Equal(CatalogOf23Items.ItemCount, result.Items);
        Assert.Equal(Enumerable.Range(1, 23).Select(i => $"P-{i:D4}"), items.Select(i => i.GetProperty("product_id").GetString()));
    }

    [Fact]
    public async Task Should_read_with_the_page_size_of_the_options()
    {
        var (result, items) = await ReadAsync(catalog.BaseUrl, s => s["ProductSync:PageSize"] = "1000");

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(1, result.Pages);
        Assert.Equal(23, items.Count);
    }

    [Fact]
    public async Task Should_retry_server_errors_and_then_succeed()
    {
        var retriesBefore = ProductSyncMetrics.Retries.Value;
        await catalog.SetFaultsAsync(new { failNext = 3, statusCode = 500 });

        var (result, items) = await ReadAsync(catalog.BaseUrl);

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(23, items.Count);
        Assert.Equal(0, (await catalog.GetFaultsAsync()).GetProperty("failNext").GetInt32());
        Assert.True(ProductSyncMetrics.Retries.Value - retriesBefore >= 3);
    }

    [Fact]
    public async Task Should_wait_as_long_as_Retry_After_says_on_429()
    {
        // The backoff of the test options is 50 ms: only Retry-After can make the reader wait 2 s.
        await catalog.SetFaultsAsync(new { failNext = 1, statusCode = 429, retryAfterSeconds = 2 });

        var clock = Stopwatch.StartNew();
        var (result, items) = await ReadAsync(catalog.BaseUrl);
        clock.Stop();

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(23, items.Count);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Should_read_a_truncated_page_again()
    {
        await catalog.SetFaultsAsync(new { truncateNext = 1 });

        var (result, items) = await ReadAsync(catalog.BaseUrl);

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(Enumerable.Range(1, 23).Select(i => $"P-{i:D4}"), items.Select(i => i.GetProperty("product_id").GetString()));
        Assert.Equal(0, (await catalog.GetFaultsAsync()).GetProperty("truncateNext").GetInt32());
    }

    [Fact]
    public async Task Should_read_a_page_that_is_not_json_again()
    {
        await catalog.SetFaultsAsync(new { invalidJsonNext = 2 });

        var (result, items) = await ReadAsync(catalog.BaseUrl);

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(23, items.Count);
    }

    [Fact]
    public async Task Should_fail_with_the_status_when_retries_are_spent()
    {
        await catalog.SetFaultsAsync(new { failureRate = 1.0, statusCode = 503 });

        var (result, items) = await ReadAsync(catalog.BaseUrl);

        Assert.False(result.Succeeded);
        Assert.Empty(items);
        Assert.Contains("HTTP 503", result.FailureReason);
        Assert.Contains("after 4 attempts", result.FailureReason);
        Assert.Contains("page 1", result.FailureReason);
    }

    [Fact]
    public async Task Should_fail_when_a_page_stays_truncated()
    {
        await catalog.SetFaultsAsync(new { truncateRate = 1.0 });

        var (result, _) = await ReadAsync(catalog.BaseUrl);

        Assert.False(result.Succeeded);
        Assert.Contains("unreadable page 1 3 times", result.FailureReason);
    }

    [Fact]
    public async Task Should_fail_when_every_attempt_times_out()
    {
        await catalog.SetFaultsAsync(new { latencyMs = 3000 });

        var clock = Stopwatch.StartNew();
        var (result, _) = await ReadAsync(catalog.BaseUrl, s =>
        {
            s["ProductSync:AttemptTimeout"] = "00:00:00.200";
            s["ProductSync:MaxAttempts"] = "2";
        });

        Assert.False(result.Succeeded);
        Assert.Contains("timed out", result.FailureReason);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}: the attempt timeout did not cut in");
    }

    [Fact]
    public async Task Should_fail_when_the_api_cannot_be_reached()
    {
        var (result, _) = await ReadAsync(new Uri("http://127.0.0.1:9"));

        Assert.False(result.Succeeded);
        Assert.Contains("could not be reached", result.FailureReason);
    }

    [Fact]
    public async Task Should_stop_calling_an_api_whose_circuit_is_open()
    {
        await catalog.SetFaultsAsync(new { failureRate = 1.0, statusCode = 500 });

        var (result, _) = await ReadAsync(catalog.BaseUrl, s =>
        {
            s["ProductSync:MaxAttempts"] = "6";
            s["ProductSync:CircuitBreakerMinimumThroughput"] = "3";
        });

        Assert.False(result.Succeeded);
        Assert.Contains("circuit breaker is open", result.FailureReason);
    }

    [Fact]
    public void Should_refuse_options_with_a_default_url_that_is_not_http()
    {
        using var services = ProductSyncServices.Build(settings: s => s["ProductSync:DefaultProductsUrl"] = "catalog:5105");

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ProductSyncOptions>>().Value);
        Assert.Contains("DefaultProductsUrl", error.Message);
    }

    [Fact]
    public async Task Should_stop_at_the_page_limit_when_the_total_count_cannot_be_trusted()
    {
        var (result, _) = await ReadAsync(catalog.BaseUrl, s => s["ProductSync:MaxPages"] = "2");

        Assert.False(result.Succeeded);
        Assert.Contains("MaxPages", result.FailureReason);
    }

    static async Task<(CatalogReadResult Result, List<JsonElement> Items)> ReadAsync(Uri baseUrl, Action<Dictionary<string, string?>>? settings = null)
    {
        await using var services = ProductSyncServices.Build(settings: settings);
        var reader = services.GetRequiredService<ProductCatalogReader>();
        var items = new List<JsonElement>();
        var result = await reader.ReadAllAsync(baseUrl, items.AddRange, CancellationToken.None);
        return (result, items);
    }
}
