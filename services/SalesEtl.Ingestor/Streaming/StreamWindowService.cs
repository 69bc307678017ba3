using MassTransit;
using Microsoft.Extensions.Options;
using SalesEtl.Contracts;
using SalesEtl.Data.Streaming;

namespace SalesEtl.Ingestor.Streaming;

/// <summary>
/// Closes the open window when it is full or old enough and starts its run by message. The window is
/// committed before <see cref="StartStreamWindowRun"/> is published and marked published after: a crash
/// in between leaves an unpublished window, published again on the next look (the saga ignores a repeat).
/// </summary>
public sealed class StreamWindowService(StreamWindowCloser closer, IBus bus, IOptions<StreamOptions> options, ILogger<StreamWindowService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.CloseWindows)
            return;
        var policy = new WindowPolicy(settings.WindowMaxEvents, TimeSpan.FromSeconds(settings.WindowSeconds), settings.ChunkSize);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(settings.CloseCheckMs));
        do
        {
            try
            {
                foreach (var pending in await closer.UnpublishedAsync(stoppingToken))
                    await PublishAsync(pending, stoppingToken);
                while (await closer.TryCloseAsync(policy, settings.AsOf, force: false, stoppingToken) is { } closed)
                {
                    StreamMetrics.WindowsClosed.WithLabels(closed.CloseReason).Inc();
                    StreamMetrics.TransactionsDroppedAcrossWindows.Inc(closed.DuplicatesDropped);
                    logger.LogInformation("Closed stream window {WindowNo} by {Reason}: {Events} events, {Rows} rows staged in {Chunks} chunks, {Duplicates} dropped as counted by an earlier window; run {RunId}",
                        closed.WindowNo, closed.CloseReason, closed.Events, closed.RowsStaged, closed.ChunkCount, closed.DuplicatesDropped, closed.RunId);
                    await PublishAsync(closed, stoppingToken);
                }
                StreamMetrics.OpenWindowEvents.Set(await closer.OpenEventsAsync(stoppingToken));
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Closing stream windows failed; trying again on the next look");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    async Task PublishAsync(ClosedWindow window, CancellationToken cancellationToken)
    {
        await bus.Publish(new StartStreamWindowRun(window.RunId, window.WindowNo, window.ChunkCount, window.RowsStaged, window.AsOf,
            options.Value.ProductsUrl, DateTimeOffset.UtcNow), cancellationToken);
        await closer.MarkPublishedAsync(window.WindowNo, cancellationToken);
    }
}
