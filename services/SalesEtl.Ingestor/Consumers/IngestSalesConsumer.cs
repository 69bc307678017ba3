using System.Text;
using MassTransit;
using Microsoft.Extensions.Options;
using SalesEtl.Contracts;
using SalesEtl.Data.Staging;
using SalesEtl.Pipeline.Sales;
using SalesEtl.ServiceDefaults;

namespace SalesEtl.Ingestor.Consumers;

/// <summary>
/// Streams the sales file and stages it chunk by chunk (claim check). Each chunk is announced as
/// soon as it is committed, so transformers start while the file is still being read. A retry
/// re-stages the same chunks (same file, same chunk size, same numbering) over the old ones.
/// </summary>
public sealed class IngestSalesConsumer(StagedSalesWriter writer, IOptions<IngestorOptions> options, ILogger<IngestSalesConsumer> logger) : IConsumer<IngestSales>
{
    public async Task Consume(ConsumeContext<IngestSales> context)
    {
        var message = context.Message;
        var cancellationToken = context.CancellationToken;
        var chunkSize = Math.Clamp(message.ChunkSize, 1, options.Value.MaxChunkSize);

        if (SourceFileProblem(message.SourcePath) is { } problem)
        {
            await FailAsync(context, problem);
            return;
        }

        using var reader = new SalesCsvReader(new StreamReader(message.SourcePath, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16));
        HeaderResolution header;
        try
        {
            header = reader.ReadHeader();
        }
        catch (SalesFileException exception)
        {
            await FailAsync(context, exception.Message);
            return;
        }

        if (header.Header is null)
        {
            await FailAsync(context, $"The file lacks required column(s): {string.Join(", ", header.MissingColumns)}. No row was loaded.");
            return;
        }

        var chunk = new List<RawSale>(Math.Min(chunkSize, 100_000));
        var chunkNo = 0;
        long rowsRead = 0;
        foreach (var row in reader.ReadRows(header.Header))
        {
            chunk.Add(row);
            rowsRead++;
            if (chunk.Count == chunkSize)
            {
                await StageAsync(context, ++chunkNo, chunk, cancellationToken);
                chunk.Clear();
            }
        }
        if (chunk.Count > 0)
            await StageAsync(context, ++chunkNo, chunk, cancellationToken);

        IngestorMetrics.Files.WithLabels(IngestorMetrics.Ingested).Inc();
        logger.LogInformation("Ingested {RowsRead} rows of {SourcePath} in {ChunkCount} chunks", rowsRead, message.SourcePath, chunkNo);
        await context.Publish(new SalesIngested(message.RunId, chunkNo, rowsRead, header.Header.ExtraColumns), cancellationToken);
    }

    async Task StageAsync(ConsumeContext<IngestSales> context, int chunkNo, List<RawSale> rows, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await writer.WriteChunkAsync(context.Message.RunId, chunkNo, rows, cancellationToken);
        IngestorMetrics.ChunkStageDuration.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        IngestorMetrics.ChunksStaged.Inc();
        IngestorMetrics.RowsStaged.Inc(rows.Count);
        logger.LogInformation("Staged chunk {ChunkNo}: {RowCount} rows, lines {FirstLine}-{LastLine}", chunkNo, rows.Count, rows[0].SourceLine, rows[^1].SourceLine);
        await context.Publish(new SalesChunkStaged(context.Message.RunId, chunkNo, rows.Count, rows[0].SourceLine, rows[^1].SourceLine), cancellationToken);
    }

    string? SourceFileProblem(string path)
    {
        if (!Path.IsPathFullyQualified(path))
            return $"The source path '{path}' is not absolute.";
        var fullPath = Path.GetFullPath(path);
        var roots = options.Value.AllowedRoots;
        if (roots.Count > 0 && !roots.Any(root => fullPath.StartsWith(Path.GetFullPath(root).TrimEnd('/') + "/", StringComparison.Ordinal)))
            return $"The source path '{path}' is outside the allowed input folders.";
        return File.Exists(fullPath) ? null : $"The source file '{path}' does not exist.";
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
