using System.Buffers.Binary;
using System.Numerics;
using Npgsql;
using SalesEtl.Data.Facts;
using SalesEtl.Pipeline.Metrics;

namespace SalesEtl.MetricsLoader.Aggregation;

/// <summary>What one read of a run's facts gave: the sums, the customers' rows, the facts counted, and how long it took.</summary>
sealed record FactsRead(FactTotals Totals, CustomerSpill Customers, long Facts, TimeSpan Elapsed) : IDisposable
{
    public void Dispose() => Customers.Dispose();
}

/// <summary>
/// Reads a run's facts once, by binary COPY, into the sums of every metric table: per product and per channel and
/// month in memory (<see cref="FactTotals"/>), per customer spilled in parts (<see cref="CustomerSpill"/>). Several
/// connections read side by side, each a range of source lines (the BRIN index on (run_id, source_line) finds them),
/// each on a thread of its own. Replaces five scans of the facts by set-based statements (10 M facts: 2 M customers
/// hash-aggregated in 9–12 s, the distinct (channel, customer) pairs in 6 s, the products and months in 2 s each), whose
/// PostgreSQL executor cost per row and per aggregate was most of the metrics step (docs/PERFORMANCE.md, round 5).
/// <para>
/// The read runs beside the duplicate check (round 7), which loads its winners meanwhile: they are added to the sums
/// from the rows their <c>INSERT … RETURNING</c> sent (<see cref="AddLoaded"/>), which the read cannot see (its
/// statements began before the check's transaction commits).
/// </para>
/// </summary>
static class FactReading
{
    /// <summary>The columns of every read of facts, in this order.</summary>
    public const string Columns = "product_id, sales_channel, customer_id, sale_date, quantity, total_price, flags";

    // The columns' positions in each COPY row.
    const int ProductId = 0, Channel = 1, CustomerId = 2, SaleDate = 3, Quantity = 4, TotalPrice = 5, Flags = 6, FieldCount = 7;

    const int CancellationCheckRows = 1 << 16;

    public static async Task<FactsRead> ReadAsync(NpgsqlDataSource dataSource, Guid runId, MetricsLoaderOptions options, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
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
                    // COPY takes no parameters: the run id is a Guid's own text and the bounds are numbers.
                    var (from, to) = (bounds[reader], bounds[reader + 1]);
                    var range = (from == long.MinValue ? "" : $" AND source_line >= {from}") + (to == long.MaxValue ? "" : $" AND source_line < {to}");
                    using var connection = dataSource.OpenConnection();
                    using var copy = connection.BeginRawBinaryCopy($"COPY (SELECT {Columns} FROM fact_sales WHERE run_id = '{runId:D}'{range}) TO STDOUT (FORMAT BINARY)");
                    var facts = Read(copy, runId, totals, customers, reader, failed.Token);
                    return (totals, facts);
                }
                catch
                {
                    failed.Cancel();
                    throw;
                }
            }, failed.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
            var all = await Task.WhenAll(reading).ConfigureAwait(false);
            for (var i = 1; i < all.Length; i++)
                all[0].totals.Merge(all[i].totals);
            return new FactsRead(all[0].totals, customers, all.Sum(r => r.facts), System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
        catch
        {
            customers.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends the rows of <paramref name="copyOut"/> (a <c>COPY … TO STDOUT (FORMAT BINARY)</c> of <see cref="Columns"/>) on
    /// the connection, in its transaction, into memory: the winners that the duplicate check loads while the read runs
    /// (a few thousand rows at 10 M facts), for <see cref="AddLoaded"/> once the read is done.
    /// </summary>
    public static async Task<byte[]> CopyOutAsync(NpgsqlConnection connection, string copyOut, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginRawBinaryCopyAsync(copyOut, cancellationToken);
        using var rows = new MemoryStream();
        await copy.CopyToAsync(rows, cancellationToken);
        return rows.ToArray();
    }

    /// <summary>Adds the facts of <paramref name="copyRows"/> (from <see cref="CopyOutAsync"/>) to what the read gave; returns how many.</summary>
    public static long AddLoaded(FactsRead facts, byte[] copyRows, Guid runId)
    {
        ArgumentNullException.ThrowIfNull(facts);
        using var rows = new MemoryStream(copyRows, writable: false);
        // The read is done: its first reader's customer parts are free to add to.
        return Read(rows, runId, facts.Totals, facts.Customers, 0, CancellationToken.None);
    }

    static async Task<long> RowsReadAsync(NpgsqlDataSource dataSource, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Sql.MetricSql.RowsRead);
        command.Parameters.AddWithValue("run", runId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    static long Read(Stream copy, Guid runId, FactTotals totals, CustomerSpill customers, int reader, CancellationToken cancellationToken)
    {
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
        return count;
    }
}
