using System.ComponentModel.DataAnnotations;

namespace SalesEtl.ProductSync;

/// <summary>Section <c>ProductSync</c> (env <c>ProductSync__PageSize</c>, …), validated at start.</summary>
public sealed class ProductSyncOptions
{
    public const string Section = "ProductSync";

    /// <summary>Base URL of the product API when a <c>SyncProducts</c> names none.</summary>
    [Required]
    public string DefaultProductsUrl { get; set; } = "http://localhost:5105";

    /// <summary>Items asked for per page (the catalog stand-in serves at most 1000).</summary>
    [Range(1, 1000)]
    public int PageSize { get; set; } = 500;

    /// <summary>HTTP attempts per page request (the first one and the retries) on 5xx, 408, 429, timeouts and network errors.</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Reads of one page whose body is not valid JSON (a truncated page) before the sync fails.</summary>
    [Range(1, 10)]
    public int MaxPageReads { get; set; } = 3;

    /// <summary>Guard against an API whose <c>totalCount</c> lies: a sync reading more pages than this fails.</summary>
    [Range(1, 1_000_000)]
    public int MaxPages { get; set; } = 10_000;

    /// <summary>First retry delay; doubles at each retry, with jitter. A <c>Retry-After</c> header takes precedence.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed for one HTTP attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed for one page request, all its attempts and waits included.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Share of failed attempts, over the sampling duration, that opens the circuit to one API host.</summary>
    [Range(0.01, 1.0)]
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    [Range(2, 10_000)]
    public int CircuitBreakerMinimumThroughput { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>An absolute http or https URL, or null.</summary>
    public static Uri? ParseBaseUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri : null;
}
