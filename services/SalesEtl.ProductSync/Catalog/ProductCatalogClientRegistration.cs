using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace SalesEtl.ProductSync.Catalog;

public static class ProductCatalogClientRegistration
{
    const string PipelineName = "product-catalog";

    /// <summary>
    /// The HTTP client of the product API, resilient per request: total timeout → retry (exponential
    /// backoff with jitter on 5xx, 408, 429, timeouts and network errors; <c>Retry-After</c> honoured)
    /// → circuit breaker → per-attempt timeout → metrics of each attempt. Bodies that do not parse are
    /// retried a level up, by <see cref="ProductCatalogReader"/>, since this pipeline never sees them.
    /// </summary>
    public static IServiceCollection AddProductCatalogClient(this IServiceCollection services)
    {
        services.AddSingleton<ProductCatalogClients>();
        services.AddTransient<ApiAttemptMetricsHandler>();

        // The pipeline's timeouts govern; HttpClient's own 100 s default must not cut in first.
        var client = services.AddHttpClient(ProductCatalogClients.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan);
        client.AddResilienceHandler(PipelineName, (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<ProductSyncOptions>>().Value;
                var logger = context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ProductCatalogClientRegistration).FullName!);

                pipeline.AddTimeout(options.TotalTimeout);
                if (options.MaxAttempts > 1)
                {
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = options.MaxAttempts - 1,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = options.RetryDelay,
                        MaxDelay = options.MaxRetryDelay,
                        ShouldRetryAfterHeader = true,
                        OnRetry = args =>
                        {
                            ProductSyncMetrics.Retries.Inc();
                            logger.LogWarning("Product API attempt {AttemptNumber} failed ({Failure}); retrying in {RetryDelayMs} ms",
                                args.AttemptNumber + 1, Describe(args.Outcome), (long)args.RetryDelay.TotalMilliseconds);
                            return ValueTask.CompletedTask;
                        },
                    });
                }
                pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    FailureRatio = options.CircuitBreakerFailureRatio,
                    MinimumThroughput = options.CircuitBreakerMinimumThroughput,
                    SamplingDuration = options.CircuitBreakerSamplingDuration,
                    BreakDuration = options.CircuitBreakerBreakDuration,
                    OnOpened = args =>
                    {
                        logger.LogWarning("Product API circuit opened for {BreakDurationMs} ms ({Failure})", (long)args.BreakDuration.TotalMilliseconds, Describe(args.Outcome));
                        return ValueTask.CompletedTask;
                    },
                });
                pipeline.AddTimeout(options.AttemptTimeout);
            })
            .SelectPipelineByAuthority();
        client.AddHttpMessageHandler<ApiAttemptMetricsHandler>();
        return services;
    }

    static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } exception
            ? $"{exception.GetType().Name}: {exception.Message}"
            : outcome.Result is { } response ? $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}" : "no response";
}

/// <summary>Innermost handler: sees every HTTP attempt, including the ones the pipeline retries.</summary>
sealed class ApiAttemptMetricsHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        var outcome = ProductSyncMetrics.Outcome.NetworkError;
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            outcome = Classify(response.StatusCode);
            return response;
        }
        catch (OperationCanceledException)
        {
            outcome = ProductSyncMetrics.Outcome.Timeout;
            throw;
        }
        finally
        {
            ProductSyncMetrics.ApiRequests.WithLabels(outcome).Inc();
            ProductSyncMetrics.ApiRequestDuration.Observe(TimeProvider.System.GetElapsedTime(started).TotalSeconds);
        }
    }

    static string Classify(HttpStatusCode status) => (int)status switch
    {
        < 400 => ProductSyncMetrics.Outcome.Success,
        429 => ProductSyncMetrics.Outcome.RateLimited,
        408 => ProductSyncMetrics.Outcome.Timeout,
        < 500 => ProductSyncMetrics.Outcome.ClientError,
        _ => ProductSyncMetrics.Outcome.ServerError,
    };
}
