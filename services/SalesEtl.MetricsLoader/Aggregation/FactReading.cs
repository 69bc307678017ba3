using System.Buffers.Binary;
using System.Numerics;
using Npgsql;
using SalesEtl.Data.Facts;
using SalesEtl.Pipeline.Metrics;

namespace SalesEtl.MetricsLoader.Aggregation;

/// <summary>
/// Reads a run's final facts once, by binary COPY, into the sums of every metric table: per product and per channel and
/// month in memory (<see cref="FactTotals"/>), per customer spilled in parts (<see cref="CustomerSpill"/>). Several
/// connections read side by side, each a range of source lines (the BRIN index on (run_id, source_line) finds them),
/// each on a thread of its own. Replaces five scans of the facts by set-based statements (10 M facts: 2 M customers
/// hash-aggregated in 9–12 s, the distinct (channel, customer) pairs in 6 s, the products and months in 2 s each), whose
/// PostgreSQL executor cost per row and per aggregate was most of the metrics step (docs/PERFORMANCE.md, round 5).
/// </summary>
static class FactReading
{
    // The columns and their order in each COPY row.
    const int ProductId = 0, Channel = 1, CustomerId = 2, SaleDate = 3, Quantity = 4, TotalPrice = 5, Flags = 6, FieldCount = 7;

    const int CancellationCheckRows = 1 << 16;

    public static async Task<(FactTotals Totals, CustomerSpill Customers)> ReadAsync(
        NpgsqlDataSource dataSource, Guid runId, MetricsLoaderOptions options, CancellationToken cancellationToken)
    {
        var rowsRead = await RowsReadAsync(dataSource, runId, cancellationToken);
        var readers = Math.Max(1, options.FactReaders);
        var parts = (int)Math.Clamp(BitOperations.RoundUpToPowerOf2((ulong)Math.Max(1, (rowsRead + options.FactsPerCustomerPart - 1) / options.FactsPerCustomerPart)), 1, 1024);
        var channels = new SalesChannelIndex();
        var customers = new CustomerSpill(options.ResolvedSpillDirectory, parts, readers);
        try
        {
            // Source lines start after the header (line 2); the split only balances the readers, any split is correct.
            var bounds = Enumerable.Range(0, readers + 1)
                .Select(i => i == 0 ? long.MinValue : i == readers ? long.MaxValue : 2 + (rowsRead * i / readers))
                .ToArray();
            using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var reading = Enumerable.Range(0, readers).Select(reader => Task.Factory.StartNew(() =>
            {
                try
                {
                    var totals = new FactTotals(channels);
                    Read(dataSource, runId, bounds[reader], bounds[reader + 1], totals, customers, reader, failed.Token);
                    return totals;
                }
                catch
                {
                    failed.Cancel();
                    throw;
                }
            }, failed.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
            var all = await Task.WhenAll(reading).ConfigureAwait(false);
            for (var i = 1; i < all.Length; i++)
                all[0].Merge(all[i]);
            return (all[0], customers);
        }
        catch
        {
            customers.Dispose();
            throw;
        }
    }

    static async Task<long> RowsReadAsync(NpgsqlDataSource dataSource, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Sql.MetricSql.RowsRead);
        command.Parameters.AddWithValue("run", runId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    static void Read(NpgsqlDataSource dataSource, Guid runId, long fromLine, long toLine, FactTotals totals, CustomerSpill customers, int reader,
        CancellationToken cancellationToken)
    {
        // COPY takes no parameters: the run id is a Guid's own text and the bounds are numbers.
        var range = (fromLine == long.MinValue ? "" : $" AND source_line >= {fromLine}") + (toLine == long.MaxValue ? "" : $" AND source_line < {toLine}");
        var sql = $"COPY (SELECT product_id, sales_channel, customer_id, sale_date, quantity, total_price, flags FROM fact_sales WHERE run_id = '{runId:D}'{range}) TO STDOUT (FORMAT BINARY)";
        using var connection = dataSource.OpenConnection();
        using var copy = connection.BeginRawBinaryCopy(sql);
        using var rows = new PgBinaryCopyReader(copy, FieldCount);
        Span<int> offsets = stackalloc int[FieldCount];
        Span<int> lengths = stackalloc int[FieldCount];
        var count = 0L;
        while (rows.TryReadRow(offsets, lengths, out var row))
        {
            for (var i = 0; i < FieldCount; i++)
            {
                if (lengths[i] < 0 && i != CustomerId)
                    throw new InvalidDataException($"A fact of run {runId} has no value in a column that is NOT NULL (field {i} of the metrics' COPY).");
            }
            var fact = new MetricFact
            {
                ProductId = row.Slice(offsets[ProductId], lengths[ProductId]),
                Channel = row.Slice(offsets[Channel], lengths[Channel]),
                HasCustomer = lengths[CustomerId] >= 0,
                CustomerId = lengths[CustomerId] > 0 ? row.Slice(offsets[CustomerId], lengths[CustomerId]) : default,
                SaleDateMicros = BinaryPrimitives.ReadInt64BigEndian(row[offsets[SaleDate]..]),
                Quantity = BinaryPrimitives.ReadInt32BigEndian(row[offsets[Quantity]..]),
                TotalPriceCents = PgBinaryCopy.NumericCents(row.Slice(offsets[TotalPrice], lengths[TotalPrice])),
                Flags = BinaryPrimitives.ReadInt32BigEndian(row[offsets[Flags]..]),
            };
            var channel = totals.Add(in fact);
            if (fact.HasCustomer)
                customers.Add(reader, fact.CustomerId, channel, fact.Quantity, fact.SaleDateMicros, fact.TotalPriceCents);
            if (++count % CancellationCheckRows == 0)
                cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
