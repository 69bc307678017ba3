using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SalesEtl.ServiceDefaults.Metrics;

/// <summary>
/// Updates gauges from a cheap query at a fixed interval (for figures that live in the database,
/// such as runs in flight). A failed sample is logged and retried at the next tick; the gauges keep
/// their last value meanwhile.
/// </summary>
public abstract class PeriodicMetricsSampler(TimeSpan interval, ILogger logger) : BackgroundService
{
    protected abstract Task SampleAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        var failing = false;
        do
        {
            try
            {
                await SampleAsync(stoppingToken);
                if (failing)
                    logger.LogInformation("Metrics sampling by {Sampler} works again", GetType().Name);
                failing = false;
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                if (!failing)
                    logger.LogWarning(exception, "Metrics sampling by {Sampler} failed; retrying every {Interval}", GetType().Name, interval);
                failing = true;
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
