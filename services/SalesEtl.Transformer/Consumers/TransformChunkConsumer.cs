using System.Collections.Concurrent;
using MassTransit;
using SalesEtl.Contracts;
using SalesEtl.Data.Facts;
using SalesEtl.Data.Products;
using SalesEtl.Data.Runs;
using SalesEtl.Data.Staging;
using SalesEtl.Pipeline.Sales;
using SalesEtl.ServiceDefaults;
using SalesEtl.ServiceDefaults.Metrics;

namespace SalesEtl.Transformer.Consumers;

/// <summary>Cleans, enriches and flags one staged chunk and writes its candidate facts and rejects.</summary>
public sealed class TransformChunkConsumer(
    IStagedSalesStore staging,
    ITransformedChunkStore facts,
    SnapshotPriceCache prices,
    SaleNormalizer normalizer,
    IRunStateReader runStates,
    ILogger<TransformChunkConsumer> logger) : IConsumer<TransformChunk>
{
    public async Task Consume(ConsumeContext<TransformChunk> context)
    {
        var message = context.Message;
        var cancellationToken = context.CancellationToken;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();

        if (await runStates.IsCancelledAsync(message.RunId, cancellationToken))
        {
            logger.LogInformation("Chunk {ChunkNo} skipped: the run was cancelled", message.ChunkNo);
            return;
        }

        var basePrices = await prices.GetAsync(message.SnapshotId, cancellationToken);
        // Each record is read, transformed and encoded into the chunk before the next is read: the chunk's records and
        // candidates die young instead of living, all 50,000 of them, until the chunk is written (docs/PERFORMANCE.md).
        using var chunk = facts.Begin(message.RunId, message.ChunkNo, message.SnapshotId);
        // A store of payloads hands out each record's texts as UTF-8: no string per text (docs/PERFORMANCE.md, round 4).
        var rows = staging is IStagedRecordReader records
            ? await records.ReadChunkRecordsAsync(message.RunId, message.ChunkNo,
                (in StagedRecord record) => ChunkTransformation.Transform(in record, normalizer, message.AsOf, basePrices, chunk), cancellationToken)
            : await staging.ReadChunkAsync(message.RunId, message.ChunkNo,
                row => ChunkTransformation.Transform(row, normalizer, message.AsOf, basePrices, chunk), cancellationToken);
        // The ingestor never stages an empty chunk: none means the chunk's staged_chunks row is gone (the table is
        // UNLOGGED, and PostgreSQL empties it after a crash). Fail the chunk rather than load a run with rows missing.
        if (rows == 0)
        {
            // A cancel may have purged the run's rows since the check above.
            if (await runStates.IsCancelledAsync(message.RunId, cancellationToken))
                return;
            throw new InvalidOperationException($"Chunk {message.ChunkNo} has no staged rows: staging was lost (a PostgreSQL crash empties it); run the file again.");
        }
        if (!await facts.WriteAsync(chunk, cancellationToken))
        {
            logger.LogInformation("Chunk {ChunkNo} not written: the run was cancelled or is already finalized", message.ChunkNo);
            return;
        }

        var rejects = chunk.Rejects;
        TransformerMetrics.ChunksTransformed.Inc();
        TransformerMetrics.Rows.WithLabels(TransformerMetrics.Candidate).Inc(chunk.Candidates);
        TransformerMetrics.Rows.WithLabels(TransformerMetrics.Rejected).Inc(rejects.Count);
        foreach (var reject in rejects)
            SharedMetrics.RejectedRows.WithLabels(reject.Reason).Inc();
        TransformerMetrics.ChunkDuration.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        logger.LogInformation("Transformed chunk {ChunkNo}: {Rows} rows, {Candidates} candidates, {Rejected} rejected",
            message.ChunkNo, rows, chunk.Candidates, rejects.Count);

        await context.Publish(new ChunkTransformed(message.RunId, message.ChunkNo, rows, chunk.Candidates, rejects.Count), cancellationToken);
    }
}

public sealed class TransformChunkConsumerDefinition(Microsoft.Extensions.Options.IOptions<TransformerOptions> options)
    : EtlConsumerDefinition<TransformChunkConsumer>(options.Value.ConcurrentChunks);

/// <summary>Base prices per snapshot, loaded once per process (a snapshot never changes once stored).</summary>
public sealed class SnapshotPriceCache(ISnapshotPriceSource snapshotPrices)
{
    readonly ConcurrentDictionary<long, Lazy<Task<IReadOnlyDictionary<string, decimal>>>> cache = new();

    public Task<IReadOnlyDictionary<string, decimal>> GetAsync(long snapshotId, CancellationToken cancellationToken)
    {
        if (cache.Count > 8)
            cache.Clear();
        var entry = cache.GetOrAdd(snapshotId, id => new Lazy<Task<IReadOnlyDictionary<string, decimal>>>(() => snapshotPrices.LoadAsync(id, CancellationToken.None)));
        var task = entry.Value;
        if (task.IsFaulted)
            cache.TryRemove(snapshotId, out _);
        return task.WaitAsync(cancellationToken);
    }
}
