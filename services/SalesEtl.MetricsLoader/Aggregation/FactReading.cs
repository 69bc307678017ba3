using System.Buffers.Binary;
using System.Numerics;
using Npgsql;
using SalesEtl.Data.Facts;
using SalesEtl.Pipeline.Metrics;

namespace SalesEtl.MetricsLoader.Aggregation;

/// <summary>What one read of a run's facts gave: the sums, the customers' rows, the facts with a waiting candidate's id, the facts counted.</summary>
sealed record FactsRead(FactTotals Totals, CustomerSpill Customers, EarlierFacts Earlier, long Facts) : IDisposable
{
    public void Dispose()
    {
        Customers.Dispose();
        Earlier.Dispose();
    }
}

/// <summary>
/// Reads a run's facts once, by binary COPY, into the sums of every metric table: per product and per channel and
/// month in memory (<see cref="FactTotals"/>), per customer spilled in parts (<see cref="CustomerSpill"/>). Several
/// connections read side by side, each a range of source lines (the BRIN index on (run_id, source_line) finds them),
/// each on a thread of its own. Replaces five scans of the facts by set-based statements (10 M facts: 2 M customers
/// hash-aggregated in 9–12 s, the distinct (channel, customer) pairs in 6 s, the products and months in 2 s each), whose
/// PostgreSQL executor cost per row and per aggregate was most of the metrics step (docs/PERFORMANCE.md, round 5).
/// <para>
/// The same read serves the duplicate check (round 7): a fact whose transaction id may be a waiting candidate's (a
/// filter of their ids, <see cref="WaitingCandidates.MayShareAnId"/>) is kept as read (<see cref="EarlierFacts"/>)
/// for the ranking, which scanned the run's facts for them itself before (about 2 s at 10 M rows); the facts it then
/// loads are added to the sums from the rows their <c>INSERT … RETURNING</c> sends (<see cref="AddLoaded"/>).
/// </para>
/// </summary>
static class FactReading
{
    /// <summary>The columns of every read of facts, in this order; <c>earlier_facts</c> has them too, so that a row read is a row copied into it.</summary>
    public const string Columns = "product_id, sales_channel, customer_id, sale_date, quantity, total_price, flags, transaction_id, source_line";

    // The columns' positions in each COPY row.
    const int ProductId = 0, Channel = 1, CustomerId = 2, SaleDate = 3, Quantity = 4, TotalPrice = 5, Flags = 6, TransactionId = 7, FieldCount = 9;

    const int CancellationCheckRows = 1 << 16;

    /// <summary>
    /// Reads the run's facts; those that may share an id with a waiting candidate go to <see cref="FactsRead.Earlier"/>.
    /// </summary>
    public static async Task<FactsRead> ReadAsync(
        NpgsqlDataSource dataSource, Guid runId, WaitingCandidates waiting, MetricsLoaderOptions options, CancellationToken cancellationToken)
    {
        var rowsRead = await RowsReadAsync(dataSource, runId, cancellationToken);
        var readers = Math.Max(1, options.FactReaders);
        var parts = (int)Math.Clamp(BitOperations.RoundUpToPowerOf2((ulong)Math.Max(1, (rowsRead + options.FactsPerCustomerPart - 1) / options.FactsPerCustomerPart)), 1, 1024);
        var channels = new SalesChannelIndex();
        var customers = new CustomerSpill(options.ResolvedSpillDirectory, parts, readers);
        var earlier = new EarlierFacts(options.ResolvedSpillDirectory, readers);
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
                    var facts = Read(copy, runId, totals, customers, reader, waiting, earlier, failed.Token);
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
            return new FactsRead(all[0].totals, customers, earlier, all.Sum(r => r.facts));
        }
        catch
        {
            customers.Dispose();
            earlier.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Adds to <paramref name="facts"/> the facts that <paramref name="copyOut"/> (a <c>COPY … TO STDOUT (FORMAT BINARY)</c>
    /// of <see cref="Columns"/>) sends, on the connection, in its transaction: the winners the finalization loads after the read.
    /// Returns how many.
    /// </summary>
    public static async Task<long> AddLoaded(NpgsqlConnection connection, string copyOut, Guid runId, FactsRead facts, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginRawBinaryCopyAsync(copyOut, cancellationToken);
        // The reader is synchronous; after the read its first reader's customer parts are free to add to.
        return await Task.Run(() => Read(copy, runId, facts.Totals, facts.Customers, 0, null, null, cancellationToken), cancellationToken);
    }

    static async Task<long> RowsReadAsync(NpgsqlDataSource dataSource, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Sql.MetricSql.RowsRead);
        command.Parameters.AddWithValue("run", runId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    static long Read(Stream copy, Guid runId, FactTotals totals, CustomerSpill customers, int reader, WaitingCandidates? waiting, EarlierFacts? earlier,
        CancellationToken cancellationToken)
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
            if (waiting is not null && waiting.MayShareAnId(row.Slice(offsets[TransactionId], lengths[TransactionId])))
                earlier!.Add(reader, row);
            if (++count % CancellationCheckRows == 0)
                cancellationToken.ThrowIfCancellationRequested();
        }
        return count;
    }
}
