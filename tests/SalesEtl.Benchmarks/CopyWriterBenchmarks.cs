using BenchmarkDotNet.Attributes;
using Npgsql;
using SalesEtl.Data;
using SalesEtl.Data.Facts;
using SalesEtl.Data.Staging;
using SalesEtl.Pipeline.Buffers;
using SalesEtl.Pipeline.Sales;
using SalesEtl.TestSupport;

namespace SalesEtl.Benchmarks;

/// <summary>
/// The staging and COPY writers against a real PostgreSQL (<c>ETL_BENCH_POSTGRES</c>, default the local server), on a
/// database of their own: one 50,000-row chunk staged as one <c>staged_chunks</c> payload, read back, and written as
/// candidate facts; and the chunk codec alone (no server), to tell the .NET part of staging from PostgreSQL's.
/// The per-row COPY staging these replaced measured 1.24 µs a row to write and 0.87 µs to read (docs/PERFORMANCE.md).
/// </summary>
[MemoryDiagnoser]
public class CopyWriterBenchmarks
{
    static readonly string Server = Environment.GetEnvironmentVariable("ETL_BENCH_POSTGRES") ?? "Host=localhost;Port=5432;Username=etl;Password=etl;Database=postgres";

    readonly string database = $"etl_microbench_{Guid.NewGuid():N}"[..30];
    NpgsqlDataSource dataSource = null!;
    List<RawSale> rows = null!;
    List<NormalizedSale> candidates = null!;
    byte[] payload = null!;
    readonly PooledBufferWriter encoded = new();
    StagedSalesWriter staging = null!;
    TransformedChunkWriter facts = null!;
    readonly Guid runId = Guid.NewGuid();

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var file = SampleFile.Shared;
        rows = file.ReadAll();
        var normalizer = new SaleNormalizer(new SaleNormalizerOptions());
        candidates = rows.Select(r => normalizer.Normalize(r, file.AsOf, file.BasePrices).Sale).OfType<NormalizedSale>().ToList();
        StagedChunkCodec.Encode(rows, encoded);
        payload = encoded.WrittenSpan.ToArray();

        await using (var admin = new NpgsqlConnection(Server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        dataSource = new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(Server) { Database = database }.ConnectionString).Build();
        await DatabaseMigrator.MigrateAsync(dataSource, CancellationToken.None);
        staging = new StagedSalesWriter(dataSource);
        facts = new TransformedChunkWriter(dataSource);
    }

    // Every invocation against the server starts from the same tables: without this, each one replaced 50,000 rows
    // and the later benchmarks ran against a table full of dead rows (and autovacuum). The codec benchmarks need none.
    [IterationSetup(Targets = [nameof(StageChunk), nameof(ReadStagedChunk), nameof(WriteTransformedChunk), nameof(CopyCandidatesByImporter), nameof(CopyCandidatesByRawCopy)])]
    public void ResetTables()
    {
        using var connection = dataSource.OpenConnection();
        using (var truncate = new NpgsqlCommand("TRUNCATE staged_chunks, transformed_sales, rejected_rows", connection))
            truncate.ExecuteNonQuery();
        staging.WriteChunkAsync(runId, 1, rows, CancellationToken.None).GetAwaiter().GetResult();
        using var vacuum = new NpgsqlCommand("VACUUM ANALYZE staged_chunks", connection);
        vacuum.ExecuteNonQuery();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        encoded.Dispose();
        await dataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(Server);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>The ingestor's side: encode and insert one payload.</summary>
    [Benchmark(OperationsPerInvoke = SampleFile.Rows)]
    public Task StageChunk() => staging.WriteChunkAsync(runId, 2, rows, CancellationToken.None);

    /// <summary>The transformer's side: select one payload and decode it.</summary>
    [Benchmark(OperationsPerInvoke = SampleFile.Rows)]
    public Task<List<RawSale>> ReadStagedChunk() => staging.ReadChunkAsync(runId, 1, CancellationToken.None);

    [Benchmark(OperationsPerInvoke = SampleFile.Rows)]
    public int EncodeChunk()
    {
        encoded.Clear();
        StagedChunkCodec.Encode(rows, encoded);
        return encoded.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = SampleFile.Rows)]
    public List<RawSale> DecodeChunk() => StagedChunkCodec.Decode(payload);

    [Benchmark(OperationsPerInvoke = SampleFile.Rows)]
    public Task WriteTransformedChunk() => facts.WriteAsync(runId, 1, 1, candidates, [], CancellationToken.None);

    /// <summary>
    /// The chunk's candidates into transformed_sales in one transaction, as TransformedChunkWriter wrote them until
    /// raw-copy: Npgsql's binary importer, one <c>Write</c> per field. Kept as the baseline of the raw COPY below.
    /// </summary>
    [Benchmark(OperationsPerInvoke = SampleFile.Rows)]
    public async Task CopyCandidatesByImporter()
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await ImporterCopy.WriteCandidatesAsync(connection, SaleCopyRows.TransformedSalesCopy, runId, 1, candidates);
        await transaction.CommitAsync();
    }

    /// <summary>The same rows by raw binary COPY of <see cref="SaleCopyRows"/>, in 128 KB batches as the writer sends them.</summary>
    [Benchmark(OperationsPerInvoke = SampleFile.Rows)]
    public async Task CopyCandidatesByRawCopy()
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        using var buffer = new PooledBufferWriter(256 * 1024);
        await using (var copy = await connection.BeginRawBinaryCopyAsync(SaleCopyRows.TransformedSalesCopy))
        {
            PgBinaryCopy.WriteHeader(buffer);
            foreach (var sale in candidates)
            {
                SaleCopyRows.AppendCandidate(buffer, runId, 1, sale);
                if (buffer.WrittenCount >= 128 * 1024)
                {
                    await copy.WriteAsync(buffer.WrittenMemory);
                    buffer.Clear();
                }
            }
            PgBinaryCopy.WriteTrailer(buffer);
            await copy.WriteAsync(buffer.WrittenMemory);
        }
        await transaction.CommitAsync();
    }

    /// <summary>Encoding the chunk's candidate rows alone, no server: the .NET part of the raw COPY.</summary>
    [Benchmark(OperationsPerInvoke = SampleFile.Rows)]
    public int EncodeCandidateRows()
    {
        encoded.Clear();
        PgBinaryCopy.WriteHeader(encoded);
        foreach (var sale in candidates)
            SaleCopyRows.AppendCandidate(encoded, runId, 1, sale);
        PgBinaryCopy.WriteTrailer(encoded);
        return encoded.WrittenCount;
    }
}
