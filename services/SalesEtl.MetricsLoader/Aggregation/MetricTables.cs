using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using SalesEtl.Data.Quality;
using SalesEtl.MetricsLoader.Sql;
using SalesEtl.Pipeline.Metrics;

namespace SalesEtl.MetricsLoader.Aggregation;

/// <summary>
/// The metric tables of SPEC §3 from one read of the run's final facts (<see cref="FactReading"/>), in two lanes side
/// by side: the customers (summed part by part and copied into <c>customer_frequency</c> by several writers, each a
/// connection and a transaction of its own, then <c>customer_segments</c>), and the rest on the finalizer's session, in
/// one transaction (the sums per product and per channel and month into temporary tables, the tables by set-based
/// statements from them, and <c>channel_performance</c> last, with the distinct customers per channel that the
/// customers' lane counted).
/// </summary>
sealed class MetricTables(NpgsqlDataSource dataSource, MetricsLoaderOptions options)
{
    // Customer tables kept from run to run (one per writer at a time): their arrays are tens of megabytes, which a new
    // table per run left to the garbage collector's large object heap, where they stayed (peak RSS +60 MiB).
    readonly System.Collections.Concurrent.ConcurrentBag<CustomerTotalsTable> customerTables = [];

    /// <summary>Writes the tables from <paramref name="facts"/>, the run's final facts as read (and the winners added).</summary>
    public async Task<IReadOnlyList<StepTiming>> WriteAsync(NpgsqlConnection session, Guid runId, long snapshotId, FactsRead facts, CancellationToken cancellationToken)
    {
        var (totals, customers) = (facts.Totals, facts.Customers);
        var writers = Math.Clamp(options.CustomerWriters, 1, customers.Partitions);
        var tables = Enumerable.Range(0, writers).Select(_ => customerTables.TryTake(out var kept) ? kept : new CustomerTotalsTable()).ToArray();
        try
        {
            var counted = new TaskCompletionSource<long[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            return [.. await SideBySide.RunAsync(
                cancellationToken,
                token => RunLaneAsync(session, runId, snapshotId, totals, counted.Task, token),
                async token =>
                {
                    try
                    {
                        var (customerTimings, channelCustomers) = await CustomerLaneAsync(runId, snapshotId, customers, tables, token);
                        counted.TrySetResult(channelCustomers);
                        return customerTimings;
                    }
                    catch (Exception exception)
                    {
                        counted.TrySetException(exception);
                        throw;
                    }
                })];
        }
        finally
        {
            foreach (var table in tables)
                customerTables.Add(table);
        }
    }

    /// <summary>
    /// After a run large enough to spill its customers in several parts (<paramref name="facts"/>, disposed by the caller
    /// first): a full, compacting collection that returns free memory to the system. Each such run leaves megabytes of
    /// buffers and tables that lived through its read (promoted, then dead in gen2); left to the collector's own pace the
    /// heap grew run after run (the metrics-loader's resident memory 149 → 186 → 204 → 215 MiB over four 10 M-row runs),
    /// so a long-running service's memory depended on how many large runs it had done. A blocking collection of this heap
    /// takes tens of milliseconds, once a run.
    /// </summary>
    public static void CompactHeapAfter(FactsRead facts)
    {
        if (facts.Customers.Partitions > 1)
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    /// <summary>
    /// The customers' parts shared out among the writers (part <c>w</c>, <c>w + writers</c>, … to writer <c>w</c>): each
    /// sums its parts and copies them into <c>customer_frequency</c> on its own connection, so that PostgreSQL takes the
    /// rows on as many cores (10 M facts: 2 M customers). Then the counts of every writer together: the segments
    /// written, the distinct customers per channel returned.
    /// </summary>
    async Task<(IReadOnlyList<StepTiming> Timings, long[] ChannelCustomers)> CustomerLaneAsync(
        Guid runId, long snapshotId, CustomerSpill customers, CustomerTotalsTable[] tables, CancellationToken cancellationToken)
    {
        var timings = new List<StepTiming>();
        var started = Stopwatch.GetTimestamp();
        await SideBySide.RunAsync(cancellationToken, [.. tables.Select((table, writer) => (Func<CancellationToken, Task<IReadOnlyList<StepTiming>>>)(async token =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(token);
            await using var transaction = await connection.BeginTransactionAsync(token);
            await CustomerFrequencyCopy.WriteAsync(connection, runId, customers, writer, tables.Length, table, token);
            await transaction.CommitAsync(token);
            return [];
        }))]);
        timings.Add(new StepTiming(FinalizationSteps.CustomerFrequency, Stopwatch.GetElapsedTime(started)));

        started = Stopwatch.GetTimestamp();
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        await using (var command = Command(connection, transaction, MetricSql.CustomerSegments, runId, snapshotId))
        {
            command.Parameters.AddWithValue("segments", CustomerSegments.All.ToArray());
            command.Parameters.AddWithValue("customers", Sum(tables, table => table.SegmentCustomers));
            await command.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        timings.Add(new StepTiming(FinalizationSteps.CustomerSegments, Stopwatch.GetElapsedTime(started)));
        return (timings, Sum(tables, table => table.ChannelCustomers));
    }

    static long[] Sum(CustomerTotalsTable[] tables, Func<CustomerTotalsTable, IReadOnlyList<long>> counts)
    {
        var sum = new long[counts(tables[0]).Count];
        foreach (var table in tables)
        {
            for (var i = 0; i < sum.Length; i++)
                sum[i] += counts(table)[i];
        }
        return sum;
    }

    /// <summary>The run's tables; <c>channel_performance</c> waits for <paramref name="channelCustomers"/>, the distinct customers per channel number.</summary>
    static async Task<IReadOnlyList<StepTiming>> RunLaneAsync(NpgsqlConnection connection, Guid runId, long snapshotId, FactTotals totals,
        Task<long[]> channelCustomers, CancellationToken cancellationToken)
    {
        var timings = new List<StepTiming>();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        async Task StepAsync(string name, string sql, Action<NpgsqlParameterCollection>? bind = null)
        {
            var started = Stopwatch.GetTimestamp();
            await using var command = Command(connection, transaction, sql, runId, snapshotId);
            bind?.Invoke(command.Parameters);
            await command.ExecuteNonQueryAsync(cancellationToken);
            timings.Add(new StepTiming(name, Stopwatch.GetElapsedTime(started)));
        }

        await StepAsync(FinalizationSteps.ProductRevenue, MetricSql.ProductTotals + MetricSql.ProductRevenue, parameters => BindProducts(parameters, totals));
        await StepAsync(FinalizationSteps.ChannelMonths, MetricSql.ChannelMonths, parameters => BindChannelMonths(parameters, totals));
        await StepAsync(FinalizationSteps.ChannelMonthly, MetricSql.ChannelMonthly);
        await StepAsync(FinalizationSteps.InventoryValuation, MetricSql.InventoryValuation);
        await StepAsync(FinalizationSteps.InventoryByCategory, MetricSql.InventoryByCategory);
        await StepAsync(FinalizationSteps.InventoryByManufacturer, MetricSql.InventoryByManufacturer);
        var customersPerChannel = await channelCustomers.WaitAsync(cancellationToken);
        await StepAsync(FinalizationSteps.ChannelPerformance, MetricSql.ChannelPerformance, parameters =>
        {
            parameters.AddWithValue("customer_channels", totals.Channels.Names.ToArray());
            parameters.AddWithValue("distinct_customers", customersPerChannel.Take(totals.Channels.Count).ToArray());
        });
        await transaction.CommitAsync(cancellationToken);
        return timings;
    }

    static void BindProducts(NpgsqlParameterCollection parameters, FactTotals totals)
    {
        var count = totals.ProductCount;
        var ids = new string[count];
        var transactions = new long[count];
        var units = new long[count];
        var gross = new decimal[count];
        var returns = new decimal[count];
        var net = new decimal[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = System.Text.Encoding.UTF8.GetString(totals.ProductIdAt(i));
            ref var product = ref totals.ProductAt(i);
            transactions[i] = product.Transactions;
            units[i] = product.UnitsSold;
            gross[i] = Cents.ToDecimal(product.GrossCents);
            returns[i] = Cents.ToDecimal(product.ReturnsCents);
            net[i] = Cents.ToDecimal(product.NetCents);
        }
        parameters.AddWithValue("product_ids", ids);
        parameters.AddWithValue("transactions", transactions);
        parameters.AddWithValue("units_sold", units);
        parameters.AddWithValue("gross_revenue", gross);
        parameters.AddWithValue("returns_value", returns);
        parameters.AddWithValue("net_revenue", net);
    }

    static void BindChannelMonths(NpgsqlParameterCollection parameters, FactTotals totals)
    {
        var rows = totals.ChannelMonths.ToArray();
        var names = totals.Channels.Names;
        parameters.AddWithValue("channels", rows.Select(r => names[r.Channel]).ToArray());
        // timestamp without time zone: an unspecified DateTime, so that no session time zone shifts it.
        parameters.Add(new NpgsqlParameter("months", NpgsqlDbType.Array | NpgsqlDbType.Timestamp)
        {
            Value = rows.Select(r => DateTime.SpecifyKind(r.Month, DateTimeKind.Unspecified)).ToArray(),
        });
        parameters.AddWithValue("transactions", rows.Select(r => r.Transactions).ToArray());
        parameters.AddWithValue("units_sold", rows.Select(r => r.UnitsSold).ToArray());
        parameters.AddWithValue("net_revenue", rows.Select(r => Cents.ToDecimal(r.NetCents)).ToArray());
        parameters.AddWithValue("gross_revenue", rows.Select(r => Cents.ToDecimal(r.GrossCents)).ToArray());
        parameters.AddWithValue("sale_rows", rows.Select(r => r.SaleRows).ToArray());
        // fact_sales' required columns are NOT NULL: FactReading fails on a null there rather than counting it.
        parameters.AddWithValue("null_required", rows.Select(_ => 0L).ToArray());
        for (var flag = 0; flag < MetricSql.FlaggedValues.Count; flag++)
        {
            var index = flag;
            parameters.AddWithValue(MetricSql.FlagColumn(MetricSql.FlaggedValues[flag]), rows.Select(r => r.FlagRows[index]).ToArray());
        }
    }

    static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, Guid runId, long snapshotId) =>
        (NpgsqlCommand)FinalizationSql.Instance.Command(connection, transaction, sql, runId, snapshotId);
}
