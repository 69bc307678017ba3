using BenchmarkDotNet.Attributes;
using Npgsql;
using NpgsqlTypes;
using SalesEtl.Data;
using SalesEtl.Data.Facts;
using SalesEtl.Data.Staging;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Benchmarks;

/// <summary>
/// The binary COPY writers against a real PostgreSQL (<c>ETL_BENCH_POSTGRES</c>, default the local server), on a
/// database of their own: one 50,000-row chunk staged, read back, and written as candidate facts. The baseline is
/// the staging write as it was first written (an awaited call per field), kept here to show what the change bought.
/// </summary>
[MemoryDiagnoser]
public class CopyWriterBenchmarks
{
    static readonly string Server = Environment.GetEnvironmentVariable("ETL_BENCH_POSTGRES") ?? "Host=localhost;Port=5432;Username=etl;Password=etl;Database=postgres";

    readonly string database = $"etl_microbench_{Guid.NewGuid():N}"[..30];
    NpgsqlDataSource dataSource = null!;
    List<RawSale> rows = null!;
    List<NormalizedSale> candidates = null!;
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

    // Every invocation starts from the same tables: without this, each one deleted and re-inserted 50,000 rows and
    // the later benchmarks ran against a table full of dead rows (and autovacuum).
    [IterationSetup]
    public void ResetTables()
    {
        using var connection = dataSource.OpenConnection();
        using (var truncate = new NpgsqlCommand("TRUNCATE staged_sales, transformed_sales, rejected_rows", connection))
            truncate.ExecuteNonQuery();
        staging.WriteChunkAsync(runId, 1, rows, CancellationToken.None).GetAwaiter().GetResult();
        using var vacuum = new NpgsqlCommand("VACUUM ANALYZE staged_sales", connection);
        vacuum.ExecuteNonQuery();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await dataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(Server);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = SampleFile.Rows)]
    public async Task StageChunkAwaitedPerField()
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var delete = new NpgsqlCommand("DELETE FROM staged_sales WHERE run_id = @run AND chunk_no = 2", connection, transaction))
        {
            delete.Parameters.AddWithValue("run", runId);
            await delete.ExecuteNonQueryAsync();
        }
        await using (var importer = await connection.BeginBinaryImportAsync(
            "COPY staged_sales (run_id, chunk_no, source_line, malformed, transaction_id, customer_id, product_id, sale_date, quantity, total_price, sales_channel, raw_text) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var row in rows)
            {
                await importer.StartRowAsync();
                await importer.WriteAsync(runId, NpgsqlDbType.Uuid);
                await importer.WriteAsync(2, NpgsqlDbType.Integer);
                await importer.WriteAsync(row.SourceLine, NpgsqlDbType.Bigint);
                await importer.WriteAsync(row.Malformed, NpgsqlDbType.Boolean);
                foreach (var text in new[] { row.TransactionId, row.CustomerId, row.ProductId, row.SaleDate, row.Quantity, row.TotalPrice, row.SalesChannel })
                {
                    if (text is null)
                        await importer.WriteNullAsync();
                    else
                        await importer.WriteAsync(text, NpgsqlDbType.Text);
                }
                await importer.WriteAsync(row.RawText, NpgsqlDbType.Text);
            }
            await importer.CompleteAsync();
        }
        await transaction.CommitAsync();
    }

    [Benchmark(OperationsPerInvoke = SampleFile.Rows)]
    public Task StageChunk() => staging.WriteChunkAsync(runId, 2, rows, CancellationToken.None);

    [Benchmark(OperationsPerInvoke = SampleFile.Rows)]
    public Task<List<RawSale>> ReadStagedChunk() => staging.ReadChunkAsync(runId, 1, CancellationToken.None);

    [Benchmark(OperationsPerInvoke = SampleFile.Rows)]
    public Task WriteTransformedChunk() => facts.WriteAsync(runId, 1, candidates, [], CancellationToken.None);
}
