using System.Buffers.Binary;
using CsCheck;
using Npgsql;
using SalesEtl.Data.Export;
using SalesEtl.Data.Facts;
using SalesEtl.MetricsLoader;
using SalesEtl.Pipeline.Quality;
using SalesEtl.SampleData;
using SalesEtl.TestSupport;

namespace SalesEtl.IntegrationTests.Contract;

/// <summary>
/// The metrics-loader reads a run's facts once by binary COPY, over several connections, and sums its customers in parts
/// spilled to files. How many readers and parts there are must not change a single number; the spill files go when the
/// run is done; and the prices read from PostgreSQL's binary numeric are PostgreSQL's own cents.
/// </summary>
public sealed class Summing_metrics_from_one_read_of_the_facts : IAsyncLifetime
{
    TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync("one_read");

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Should_export_the_same_tables_whatever_the_readers_and_parts_and_leave_no_spill_file()
    {
        var data = SalesDataGenerator.Generate(new SampleDataOptions { Seed = 4242, Rows = 30_000, AsOf = InProcessRun.AsOf });
        await using var run = new InProcessRun(database);
        var snapshot = await run.StoreSnapshotAsync(data.ProductsJson);
        var spill = Directory.CreateTempSubdirectory("sales-etl-spill-test").FullName;
        try
        {
            MetricsLoaderOptions[] variants =
            [
                new(),
                // Many small parts over three line ranges, written by three connections.
                new() { FactReaders = 3, FactsPerCustomerPart = 1024, CustomerWriters = 3, SpillDirectory = spill },
                // One part and one reader: about 900 KB of customer rows, written to the part's file as its buffer fills.
                new() { FactReaders = 1, FactsPerCustomerPart = 1 << 20, SpillDirectory = spill },
                // Many parts, one writer.
                new() { FactsPerCustomerPart = 1024, CustomerWriters = 1, SpillDirectory = spill },
            ];
            string? baseline = null;
            foreach (var options in variants)
            {
                var runId = await run.StageAndTransformAsync(data.SalesCsv, snapshot, new Processing(5_000, 1, null));
                var totals = await new RunFinalizer(database.DataSource, options).FinalizeAsync(runId, snapshot, new QualityOptions(), CancellationToken.None);
                Assert.NotNull(totals);
                var export = Path.Combine(Path.GetTempPath(), "sales-etl-in-process", $"{runId}-one-read");
                await new RunExporter(database.DataSource).ExportAsync(runId, export, CancellationToken.None);
                Assert.Empty(Directory.EnumerateFiles(spill));
                if (baseline is null)
                {
                    baseline = export;
                    Assert.True(new FileInfo(Path.Combine(export, "customer_frequency.csv")).Length > 100_000);
                    continue;
                }
                foreach (var table in RunExporter.Tables)
                {
                    Assert.True(
                        await File.ReadAllTextAsync(Path.Combine(baseline, $"{table.Name}.csv")) == await File.ReadAllTextAsync(Path.Combine(export, $"{table.Name}.csv")),
                        $"{table.Name} differs with {options.FactReaders} reader(s), parts of {options.FactsPerCustomerPart} facts and {options.CustomerWriters} writer(s)");
                }
            }
        }
        finally
        {
            Directory.Delete(spill, recursive: true);
        }
    }

    [Fact]
    public async Task Should_read_every_price_as_the_cents_PostgreSQL_computes_for_it()
    {
        var money = Gen.Frequency(
            (8, Gen.Long[-(long)1e18 + 1, (long)1e18 - 1]),
            (2, Gen.Long[-100_000, 100_000]),
            (1, Gen.OneOf(0L, 1L, -1L, 100L, 10_000L, 999_999_999_999_999_999L, -999_999_999_999_999_999L)));
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using (var create = new NpgsqlCommand("CREATE TEMP TABLE prices (price numeric(18,2))", connection))
            await create.ExecuteNonQueryAsync();

        await money.Array[1, 50].SampleAsync(async cents =>
        {
            await using (var insert = new NpgsqlCommand("TRUNCATE prices; INSERT INTO prices SELECT c / 100.0 FROM unnest(@cents) AS c", connection))
            {
                insert.Parameters.AddWithValue("cents", cents);
                await insert.ExecuteNonQueryAsync();
            }
            var read = new List<(long Parsed, long Expected)>();
            using (var copy = connection.BeginRawBinaryCopy("COPY (SELECT price, (price * 100)::bigint FROM prices) TO STDOUT (FORMAT BINARY)"))
            using (var rows = new PgBinaryCopyReader(copy, 2, bufferSize: 64))
            {
                var offsets = new int[2];
                var lengths = new int[2];
                while (rows.TryReadRow(offsets, lengths, out var row))
                    read.Add((PgBinaryCopy.NumericCents(row.Slice(offsets[0], lengths[0])), BinaryPrimitives.ReadInt64BigEndian(row[offsets[1]..])));
            }
            Assert.Equal(cents.Length, read.Count);
            Assert.All(read, pair => Assert.Equal(pair.Expected, pair.Parsed));
            Assert.Equal(cents.Order(), read.Select(pair => pair.Parsed).Order());
        }, iter: 100, threads: 1);
    }
}
