using MassTransit;
using Microsoft.Extensions.Options;
using SalesEtl.Contracts;
using SalesEtl.Data.Runs;
using SalesEtl.Data.Staging;
using SalesEtl.Pipeline.Sales;
using SalesEtl.ServiceDefaults;

namespace SalesEtl.Ingestor.Consumers;

/// <summary>
/// Streams the sales file and stages it chunk by chunk (claim check). Each chunk is announced as
/// soon as it is committed, so transformers start while the file is still being read. A retry
/// re-stages the same chunks (same file, same chunk size, same numbering) over the old ones.
/// </summary>
public sealed class IngestSalesConsumer(
    IStagedSalesStore writer, InputPathPolicy inputPaths, IRunStateReader runStates, FirstOccurrenceFilters filters, IOptions<IngestorOptions> options,
    IOptions<FaultInjectionOptions> faults, ILogger<IngestSalesConsumer> logger) : IConsumer<IngestSales>
{
    static readonly string BinaryFile =
        $"The file looks binary (it holds NUL bytes in its first {SalesFileContent.SniffBytes} bytes), not CSV text: it has no header row with the required columns. No row was loaded.";

    public async Task Consume(ConsumeContext<IngestSales> context)
    {
        var message = context.Message;
        var cancellationToken = context.CancellationToken;
        var chunkSize = Math.Clamp(message.ChunkSize, 1, options.Value.MaxChunkSize);

        if (inputPaths.Check(message.SourcePath, out var realPath) is { } problem)
        {
            await FailAsync(context, problem);
            return;
        }

        var settings = options.Value;
        await using var file = new FileStream(realPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        // Only to explain a header that cannot be read: a stray NUL in a real sales file just becomes U+FFFD.
        var looksBinary = await LooksBinaryAsync(file, cancellationToken);

        // UTF-8 only, read as bytes: its BOM is skipped, a UTF-16 BOM does not switch the encoding, and bytes that are
        // not UTF-8 become U+FFFD (the row is kept and judged by the rules).
        using var reader = new SalesCsvReader(file, new SalesCsvReaderOptions { MaxRecordBytes = settings.MaxRecordBytes });
        HeaderResolution header;
        try
        {
            header = reader.ReadHeader();
        }
        catch (SalesFileException exception)
        {
            await FailAsync(context, looksBinary ? BinaryFile : exception.Message);
            return;
        }

        if (header.Header is null)
        {
            var reason = $"The file lacks required column(s): {string.Join(", ", header.MissingColumns)}. No row was loaded.";
            if (header.MissingColumns.Count == SalesColumns.Required.Count)
                reason = looksBinary ? BinaryFile : reason + " Its first line names none of them: the file has no header row, or is not a sales file.";
            await FailAsync(context, reason);
            return;
        }

        await writer.WriteHeaderAsync(message.RunId, header, DateTimeOffset.UtcNow, cancellationToken);
        // One filter per file read at once, kept from file to file (FirstOccurrenceFilters).
        var firstOccurrences = filters.Rent(settings.FirstOccurrenceFilterBytes);
        try
        {
            await StageChunksAsync(context, reader, header.Header, firstOccurrences, chunkSize, cancellationToken);
        }
        finally
        {
            filters.Return(firstOccurrences);
        }
    }

    async Task StageChunksAsync(
        ConsumeContext<IngestSales> context, SalesCsvReader reader, SalesHeader header, FirstOccurrenceFilter? firstOccurrences, int chunkSize,
        CancellationToken cancellationToken)
    {
        var message = context.Message;
        // Each record is encoded into the chunk's payload as it is read, its fields copied from the reader's bytes: holding
        // a chunk's records in a list kept them alive long enough for the garbage collector to promote them, and a string
        // per field cost the ingestor more CPU than reading the file. The pooled buffer is reused chunk after chunk.
        using var chunk = new StagedChunkCodec.Encoder(StagedChunkCodec.EstimatedPayloadBytes(chunkSize));
        var chunkNo = 0;
        long rowsRead = 0;
        try
        {
            while (reader.TryAppendNext(header, firstOccurrences, chunk))
            {
                rowsRead++;
                if (chunk.Count == chunkSize)
                {
                    if (await runStates.IsCancelledAsync(message.RunId, cancellationToken))
                    {
                        logger.LogInformation("Ingest stopped after {ChunkCount} chunks: the run was cancelled", chunkNo);
                        return;
                    }
                    await StageAsync(context, ++chunkNo, chunk, cancellationToken);
                    chunk.Reset();
                }
            }
        }
        catch (SalesFileException exception)
        {
            // The file cannot be read on (a quote never closed over the record limit): the run fails; the rows
            // staged so far stay with the failed run and are not loaded.
            await FailAsync(context, $"{exception.Message} {rowsRead} row(s) before it were read; the run is not loaded.");
            return;
        }
        if (chunk.Count > 0)
            await StageAsync(context, ++chunkNo, chunk, cancellationToken);

        IngestorMetrics.Files.WithLabels(IngestorMetrics.Ingested).Inc();
        logger.LogInformation("Ingested {RowsRead} rows of {SourcePath} in {ChunkCount} chunks", rowsRead, message.SourcePath, chunkNo);
        await context.Publish(new SalesIngested(message.RunId, chunkNo, rowsRead, header.ExtraColumns), cancellationToken);
    }

    async Task StageAsync(ConsumeContext<IngestSales> context, int chunkNo, StagedChunkCodec.Encoder chunk, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await writer.WriteEncodedChunkAsync(context.Message.RunId, chunkNo, chunk.Payload, chunk.Count, cancellationToken);
        IngestorMetrics.ChunkStageDuration.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        IngestorMetrics.ChunksStaged.Inc();
        IngestorMetrics.RowsStaged.Inc(chunk.Count);
        logger.LogInformation("Staged chunk {ChunkNo}: {RowCount} rows, lines {FirstLine}-{LastLine}", chunkNo, chunk.Count, chunk.FirstSourceLine, chunk.LastSourceLine);
        await context.Publish(new SalesChunkStaged(context.Message.RunId, chunkNo, chunk.Count, chunk.FirstSourceLine, chunk.LastSourceLine), cancellationToken);
        if (faults.Value.StagedChunkDelay > TimeSpan.Zero)
            await Task.Delay(faults.Value.StagedChunkDelay, cancellationToken);
    }

    static async Task<bool> LooksBinaryAsync(FileStream file, CancellationToken cancellationToken)
    {
        var head = new byte[SalesFileContent.SniffBytes];
        var read = await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        file.Position = 0;
        return SalesFileContent.LooksBinary(head.AsSpan(0, read));
    }

    async Task FailAsync(ConsumeContext<IngestSales> context, string reason)
    {
        IngestorMetrics.Files.WithLabels(IngestorMetrics.Failed).Inc();
        logger.LogWarning("Ingest of {SourcePath} failed: {Reason}", context.Message.SourcePath, reason);
        await context.Publish(new SalesIngestFailed(context.Message.RunId, reason), context.CancellationToken);
    }
}

public sealed class IngestSalesConsumerDefinition : EtlConsumerDefinition<IngestSalesConsumer>
{
    public IngestSalesConsumerDefinition()
        : base(concurrentMessageLimit: 2, useOutbox: false)
    {
    }
}
