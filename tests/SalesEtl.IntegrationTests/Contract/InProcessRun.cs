using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesEtl.Data.Export;
using SalesEtl.Data.Facts;
using SalesEtl.Data.Products;
using SalesEtl.Data.Staging;
using SalesEtl.IntegrationTests.ProductSync;
using SalesEtl.MetricsLoader;
using SalesEtl.Pipeline.Quality;
using SalesEtl.Pipeline.Sales;
using SalesEtl.ProductSync.Snapshots;
using SalesEtl.TestSupport;
using SalesEtl.Transformer;

namespace SalesEtl.IntegrationTests.Contract;

/// <summary>
/// How a run is processed: chunk size, transformer workers, whether chunks are taken in a shuffled order, and the size
/// of the ingestor's first-occurrence filter (0: off, every candidate takes the duplicate check; 64 bytes: nearly
/// every id is falsely taken for a repeat).
/// </summary>
public sealed record Processing(int ChunkSize, int Workers, int? ShuffleSeed, int FilterBytes = FirstOccurrenceFilter.DefaultBytes)
{
    public override string ToString() =>
        $"chunks of {ChunkSize}, {Workers} worker(s), {(ShuffleSeed is null ? "file order" : "shuffled")}, first-occurrence filter of {FilterBytes} bytes";
}

/// <summary>
/// The real components of a run, driven in-process against a real PostgreSQL database: the ingestor's reader and
/// staging writer, the transformer's chunk transformation and fact writer, the metrics-loader's finalizer, the
/// exporter. What the services add around them (messages, the saga) is left out, so that chunking, the number of
/// workers and the processing order can be chosen freely.
/// </summary>
public sealed class InProcessRun(TestDatabase database) : IAsyncDisposable
{
    public static readonly DateTimeOffset AsOf = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    readonly ServiceProvider productSync = ProductSyncServices.Build(database);
    readonly StagedSalesWriter staging = new(database.DataSource);
    readonly TransformedChunkWriter facts = new(database.DataSource);
    readonly SaleNormalizer normalizer = new(new SaleNormalizerOptions());

    /// <summary>Stores the products JSON (an items array or the page shape) as a snapshot, as product-sync does.</summary>
    public async Task<long> StoreSnapshotAsync(string productsJson)
    {
        using var document = JsonDocument.Parse(productsJson);
        var items = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement : document.RootElement.GetProperty("items");
        var batch = ProductSyncBatch.From(items.EnumerateArray());
        var stored = await productSync.GetRequiredService<ProductSnapshotStore>().SaveAsync(Guid.NewGuid(), "in-process", batch, CancellationToken.None);
        return stored.SnapshotId;
    }

    /// <summary>Runs one sales file end to end and exports it; returns the run id and the export folder.</summary>
    /// <param name="quality">The expectations' thresholds and severities; their defaults when null.</param>
    public async Task<(Guid RunId, string ExportDir)> RunAsync(string salesCsv, long snapshotId, Processing processing, QualityOptions? quality = null)
    {
        var runId = await StageAndTransformAsync(salesCsv, snapshotId, processing);
        await new RunFinalizer(database.DataSource).FinalizeAsync(runId, snapshotId, quality ?? new QualityOptions(), CancellationToken.None);
        var exportDir = Path.Combine(Path.GetTempPath(), "sales-etl-in-process", runId.ToString());
        await new RunExporter(database.DataSource).ExportAsync(runId, exportDir, CancellationToken.None);
        return (runId, exportDir);
    }

    /// <summary>A run up to its last transformed chunk, not finalized; returns its id.</summary>
    public async Task<Guid> StageAndTransformAsync(string salesCsv, long snapshotId, Processing processing)
    {
        var runId = Guid.NewGuid();
        var chunks = await StageAsync(runId, salesCsv, processing.ChunkSize, FirstOccurrenceFilter.Create(processing.FilterBytes));
        await TransformAsync(runId, snapshotId, chunks, processing);
        return runId;
    }

    /// <summary>
    /// Transforms a staged chunk again, as a redelivered command does; <paramref name="firstOccurrencesKnown"/> false
    /// writes it as if the ingestor had marked no first occurrence. Returns whether the writer wrote it.
    /// </summary>
    public async Task<bool> TransformChunkAgainAsync(Guid runId, long snapshotId, int chunkNo, bool firstOccurrencesKnown = true)
    {
        var prices = await new SnapshotPrices(database.DataSource).LoadAsync(snapshotId, CancellationToken.None);
        var rows = await staging.ReadChunkAsync(runId, chunkNo, CancellationToken.None);
        var (candidates, rejects) = ChunkTransformation.Apply(rows, normalizer, AsOf, prices);
        if (!firstOccurrencesKnown)
            candidates = [.. candidates.Select(sale => sale with { FirstOccurrence = false })];
        return await facts.WriteAsync(runId, chunkNo, snapshotId, candidates, rejects, CancellationToken.None);
    }

    /// <summary>The run's facts and duplicate rows, one line each in line order, to compare two runs of the same file.</summary>
    public async Task<string> FactsAndDuplicatesAsync(Guid runId)
    {
        var text = new StringBuilder();
        await using var command = database.DataSource.CreateCommand("""
            SELECT concat_ws('|', 'fact', source_line, transaction_id, customer_id, product_id, sale_date, quantity, total_price, sales_channel, flags)
            FROM fact_sales WHERE run_id = @run
            UNION ALL
            SELECT concat_ws('|', 'duplicate', source_line, duplicate_of, transaction_id) FROM duplicate_rows WHERE run_id = @run
            ORDER BY 1
            """);
        command.Parameters.AddWithValue("run", runId);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            text.Append(reader.GetString(0)).Append('\n');
        return text.ToString();
    }

    async Task<int> StageAsync(Guid runId, string salesCsv, int chunkSize, FirstOccurrenceFilter? firstOccurrences)
    {
        // As the ingestor reads a file: UTF-8 with an optional BOM.
        var bytes = Encoding.UTF8.GetBytes(salesCsv);
        using var reader = new SalesCsvReader(new StreamReader(new MemoryStream(bytes), new UTF8Encoding(true, false), detectEncodingFromByteOrderMarks: false));
        var header = reader.ReadHeader();
        await staging.WriteHeaderAsync(runId, header, AsOf, CancellationToken.None);
        var chunkNo = 0;
        var chunk = new List<RawSale>();
        foreach (var row in reader.ReadRows(header.Header!, firstOccurrences))
        {
            chunk.Add(row);
            if (chunk.Count == chunkSize)
            {
                await staging.WriteChunkAsync(runId, ++chunkNo, chunk, CancellationToken.None);
                chunk.Clear();
            }
        }
        if (chunk.Count > 0)
            await staging.WriteChunkAsync(runId, ++chunkNo, chunk, CancellationToken.None);
        return chunkNo;
    }

    async Task TransformAsync(Guid runId, long snapshotId, int chunks, Processing processing)
    {
        var prices = await new SnapshotPrices(database.DataSource).LoadAsync(snapshotId, CancellationToken.None);
        var order = Enumerable.Range(1, chunks).ToList();
        if (processing.ShuffleSeed is { } seed)
            order = [.. order.OrderBy(c => new Random(seed * 7919 + c).Next())];
        var queue = new ConcurrentQueue<int>(order);
        var workers = Enumerable.Range(0, processing.Workers).Select(_ => Task.Run(async () =>
        {
            while (queue.TryDequeue(out var chunkNo))
            {
                var rows = await staging.ReadChunkAsync(runId, chunkNo, CancellationToken.None);
                var (candidates, rejects) = ChunkTransformation.Apply(rows, normalizer, AsOf, prices);
                await facts.WriteAsync(runId, chunkNo, snapshotId, candidates, rejects, CancellationToken.None);
            }
        }));
        await Task.WhenAll(workers);
    }

    public ValueTask DisposeAsync() => productSync.DisposeAsync();
}
