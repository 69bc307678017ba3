using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Refit;

namespace SalesEtl.ProductSync.Catalog;

/// <summary>How reading the whole catalog went: the pages and items handed over, or why it stopped.</summary>
public sealed record CatalogReadResult(bool Succeeded, int Pages, int Items, string? FailureReason)
{
    public static CatalogReadResult Success(int pages, int items) => new(true, pages, items, null);

    public static CatalogReadResult Failure(int pages, int items, string reason) => new(false, pages, items, reason);
}

/// <summary>
/// Reads every page of the product API, in order, until <c>page × pageSize ≥ totalCount</c> or an
/// empty page. HTTP failures are retried by the client's resilience pipeline; a page whose body does
/// not parse (truncated, not JSON) is read again here. When retries are spent the result carries a
/// reason instead of throwing: an unreachable upstream is an outcome of the sync, not a bug.
/// </summary>
public sealed class ProductCatalogReader(ProductCatalogClients clients, IOptions<ProductSyncOptions> options, ILogger<ProductCatalogReader> logger)
{
    /// <param name="onPage">Gets the items of each page as soon as it is read, so that no more than one page of raw JSON is held.</param>
    public async Task<CatalogReadResult> ReadAllAsync(Uri baseUrl, Action<IReadOnlyList<JsonElement>> onPage, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var api = clients.For(baseUrl);
        var items = 0;
        var pages = 0;
        var lastTotal = 0;
        for (var pageNo = 1; ; pageNo++)
        {
            if (pageNo > settings.MaxPages)
                return CatalogReadResult.Failure(pages, items,
                    $"Product API {baseUrl} still had items after {settings.MaxPages} pages (ProductSync:MaxPages); its totalCount ({lastTotal}) cannot be trusted.");

            var (page, failure) = await ReadPageAsync(api, baseUrl, pageNo, settings, cancellationToken);
            if (failure is not null)
                return CatalogReadResult.Failure(pages, items, failure);

            var pageItems = page!.Items!;
            if (pageItems.Count == 0)
            {
                if (items < page.TotalCount)
                    logger.LogWarning("Product API {ProductsUrl} announced {TotalCount} items but served {ItemCount}; the snapshot holds what was served", baseUrl, page.TotalCount, items);
                break;
            }
            pages++;
            items += pageItems.Count;
            lastTotal = page.TotalCount;
            onPage(pageItems);

            var pageSize = page.PageSize > 0 ? page.PageSize : settings.PageSize;
            if ((long)pageNo * pageSize >= page.TotalCount)
                break;
        }

        logger.LogInformation("Read {ItemCount} product items in {PageCount} pages from {ProductsUrl}", items, pages, baseUrl);
        return CatalogReadResult.Success(pages, items);
    }

    async Task<(ProductPage? Page, string? Failure)> ReadPageAsync(IProductCatalogApi api, Uri baseUrl, int pageNo, ProductSyncOptions settings, CancellationToken cancellationToken)
    {
        for (var read = 1; ; read++)
        {
            string problem;
            try
            {
                using var response = await api.GetProductsAsync(pageNo, settings.PageSize, cancellationToken);
                if (response.HasRequestError(out var requestError))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    return (null, $"Product API {baseUrl} could not be reached for page {pageNo}: {DescribeTransportFailure(requestError.InnerException ?? requestError, settings)}");
                }
                if (!response.IsSuccessStatusCode)
                    return (null, $"Product API {baseUrl} answered page {pageNo} with HTTP {(int?)response.StatusCode} {response.ReasonPhrase}{RetriedNote(response.StatusCode, settings)}.");
                if (response.Error is null && response.Content is { Items: not null } content)
                {
                    if (content.Page != 0 && content.Page != pageNo)
                        return (null, $"Product API {baseUrl} answered page {content.Page} when asked for page {pageNo}.");
                    return (content, null);
                }
                problem = response.Error is { } error ? (error.InnerException ?? error).Message : "the body has no 'items' array";
            }
            catch (Exception exception) when (IsTransportFailure(exception) && !cancellationToken.IsCancellationRequested)
            {
                return (null, $"Product API {baseUrl} could not be reached for page {pageNo}: {DescribeTransportFailure(exception, settings)}");
            }

            if (read >= settings.MaxPageReads)
                return (null, $"Product API {baseUrl} returned an unreadable page {pageNo} {read} times in a row (truncated or invalid JSON): {problem}");

            ProductSyncMetrics.Retries.Inc();
            var delay = Backoff(read, settings);
            logger.LogWarning("Page {PageNo} of {ProductsUrl} is unreadable ({Problem}); reading it again in {RetryDelayMs} ms", pageNo, baseUrl, problem, (long)delay.TotalMilliseconds);
            await Task.Delay(delay, cancellationToken);
        }
    }

    static TimeSpan Backoff(int read, ProductSyncOptions settings)
    {
        var exponential = settings.RetryDelay.TotalMilliseconds * Math.Pow(2, read - 1);
        var jittered = exponential * (0.5 + Random.Shared.NextDouble());
        return TimeSpan.FromMilliseconds(Math.Min(jittered, settings.MaxRetryDelay.TotalMilliseconds));
    }

    static bool IsTransportFailure(Exception exception) =>
        exception is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or ApiRequestException or OperationCanceledException or IOException;

    static string DescribeTransportFailure(Exception exception, ProductSyncOptions settings) => exception switch
    {
        BrokenCircuitException => "the circuit breaker is open after repeated failures of this API.",
        TimeoutRejectedException => $"timed out (attempt timeout {settings.AttemptTimeout}, total {settings.TotalTimeout}) after up to {settings.MaxAttempts} attempts.",
        HttpRequestException http => $"{http.Message} (after {settings.MaxAttempts} attempts).",
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };

    static string RetriedNote(HttpStatusCode? status, ProductSyncOptions settings) =>
        (int?)status is >= 500 or 408 or 429 ? $" after {settings.MaxAttempts} attempts" : " (not retryable)";
}
