using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SalesEtl.Pipeline.Products;
using SalesEtl.Pipeline.Quality;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Data.Quality;

/// <summary>The outcome of finishing a run's numbers, with the time each step of it took.</summary>
public sealed record RunTotals(QualityVerdict Verdict, QualityFacts Facts, IReadOnlyDictionary<string, long> RejectsByReason, IReadOnlyList<StepTiming> Timings);

/// <summary>One statement of finishing a run, named for logs and the step-duration histogram (a bounded set of names).</summary>
public sealed record FinalizationStep(string Name, string Sql);

public sealed record StepTiming(string Step, TimeSpan Elapsed)
{
    public override string ToString() => $"{Step} {Elapsed.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)} s";
}

/// <summary>The names of the steps of finishing a run, the same in every dialect.</summary>
public static class FinalizationSteps
{
    public const string Clear = "clear";
    public const string RankDuplicates = "rank_duplicates";
    public const string LoadFacts = "load_facts";
    public const string AggregateFacts = "aggregate_facts";
    public const string ProductRevenue = "product_revenue";
    public const string ChannelMonths = "channel_months";
    public const string ChannelPerformance = "channel_performance";
    public const string ChannelMonthly = "channel_monthly";
    public const string CustomerFrequency = "customer_frequency";
    public const string CustomerSegments = "customer_segments";
    public const string InventoryValuation = "inventory_valuation";
    public const string InventoryByCategory = "inventory_by_category";
    public const string InventoryByManufacturer = "inventory_by_manufacturer";
    public const string QualityReport = "quality_report";

    public static IReadOnlyList<string> All { get; } =
    [
        Clear, RankDuplicates, LoadFacts, AggregateFacts, ProductRevenue, ChannelMonths, ChannelPerformance, ChannelMonthly, CustomerFrequency, CustomerSegments,
        InventoryValuation, InventoryByCategory, InventoryByManufacturer, QualityReport,
    ];
}

/// <summary>
/// What one database supplies to <see cref="RunFinalization"/>: its SQL and how its driver binds and returns values.
/// Every statement is run with <c>@run</c> and <c>@snapshot</c> bound, whether it uses them or not.
/// </summary>
public abstract class RunFinalizationDialect
{
    /// <summary>One row: the fields of <see cref="QualityFacts"/> in order, three money sums last.</summary>
    public abstract string QualityFacts { get; }

    /// <summary>Rows of (reason, count) of the run's rejects.</summary>
    public abstract string RejectsByReason { get; }

    /// <summary>One row: the run's accepted rows per flag, a column per value of <see cref="SaleFlagNames.AllFlags"/>.</summary>
    public abstract string FlagCounts { get; }

    /// <summary>Writes or replaces the run's <c>quality_reports</c> row from <c>@outcome</c>, <c>@reason</c>, <c>@read</c>,
    /// <c>@accepted</c>, <c>@rejected</c>, <c>@duplicates</c> and <c>@report</c> (JSON).</summary>
    public abstract string SaveReport { get; }

    /// <summary>How the report's JSON is written.</summary>
    public virtual JsonSerializerOptions? ReportJson => null;

    /// <summary>A command in the transaction, without a timeout, with <c>@run</c> and <c>@snapshot</c> bound.</summary>
    public abstract DbCommand Command(DbConnection connection, DbTransaction transaction, string sql, Guid runId, long snapshotId);

    /// <summary>A money sum as the database returns it.</summary>
    public abstract decimal GetMoney(DbDataReader reader, int ordinal);

    /// <summary>A list of names as the database stores it.</summary>
    public abstract IReadOnlyList<string> GetNames(DbDataReader reader, int ordinal);

    /// <summary>Binds what <see cref="SaveReport"/> needs beyond the report's own values.</summary>
    public virtual void AddReportParameters(DbCommand save)
    {
    }
}

/// <summary>
/// Finishes a run, whatever the database: runs the dialect's statements, reads the quality facts, judges them, and
/// writes the quality report (SPEC §4). <see cref="CompleteAsync"/> does it all in the caller's transaction; a caller
/// that spreads the statements over several connections runs them with <see cref="RunStepsAsync"/> and ends with
/// <see cref="ReportAsync"/>. Locking, cancellation and the commits are the caller's.
/// </summary>
public static class RunFinalization
{
    /// <param name="steps">Clear the run's earlier results, resolve its duplicates and fill the metric tables, in this order (names from <see cref="FinalizationSteps"/>).</param>
    public static async Task<RunTotals> CompleteAsync(DbConnection connection, DbTransaction transaction, RunFinalizationDialect dialect,
        IEnumerable<FinalizationStep> steps, Guid runId, long snapshotId, QualityOptions qualityOptions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        var timings = await RunStepsAsync(connection, transaction, dialect, steps, runId, snapshotId, cancellationToken);
        return await ReportAsync(connection, transaction, dialect, runId, snapshotId, qualityOptions, timings, cancellationToken);
    }

    /// <summary>Runs <paramref name="steps"/> in order in the transaction; returns how long each took.</summary>
    public static async Task<IReadOnlyList<StepTiming>> RunStepsAsync(DbConnection connection, DbTransaction transaction, RunFinalizationDialect dialect,
        IEnumerable<FinalizationStep> steps, Guid runId, long snapshotId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(steps);
        var query = new Query(connection, transaction, dialect, runId, snapshotId);
        var timings = new List<StepTiming>();
        foreach (var step in steps)
        {
            var started = Stopwatch.GetTimestamp();
            await query.ExecuteAsync(step.Sql, cancellationToken);
            timings.Add(new StepTiming(step.Name, Stopwatch.GetElapsedTime(started)));
        }
        return timings;
    }

    /// <summary>Reads and judges the run's quality facts and writes its report; <paramref name="timings"/> are the steps' so far.</summary>
    public static async Task<RunTotals> ReportAsync(DbConnection connection, DbTransaction transaction, RunFinalizationDialect dialect,
        Guid runId, long snapshotId, QualityOptions qualityOptions, IReadOnlyList<StepTiming> timings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        var query = new Query(connection, transaction, dialect, runId, snapshotId);
        var reportStarted = Stopwatch.GetTimestamp();

        var facts = await ReadFactsAsync(query, cancellationToken);
        var verdict = QualityEvaluator.Evaluate(facts, qualityOptions);
        var rejectsByReason = await ReadRejectsByReasonAsync(query, cancellationToken);
        var flags = await ReadFlagCountsAsync(query, cancellationToken);
        var salesDrift = await ReadSalesDriftAsync(query, cancellationToken);
        var productDrift = await ReadProductDriftAsync(query, cancellationToken);
        var report = Report(runId, snapshotId, verdict, facts, rejectsByReason, flags, salesDrift, productDrift);

        await using (var save = query.Command(dialect.SaveReport))
        {
            Add(save, "@outcome", verdict.Outcome);
            Add(save, "@reason", (object?)verdict.Reason ?? DBNull.Value);
            Add(save, "@read", facts.RowsRead);
            Add(save, "@accepted", facts.RowsAccepted);
            Add(save, "@rejected", facts.RowsRejected);
            Add(save, "@duplicates", facts.DuplicatesDropped);
            Add(save, "@report", JsonSerializer.Serialize(report, dialect.ReportJson));
            dialect.AddReportParameters(save);
            await save.ExecuteNonQueryAsync(cancellationToken);
        }
        return new RunTotals(verdict, facts, rejectsByReason, [.. timings, new StepTiming(FinalizationSteps.QualityReport, Stopwatch.GetElapsedTime(reportStarted))]);
    }

    static object Report(Guid runId, long snapshotId, QualityVerdict verdict, QualityFacts facts, Dictionary<string, long> rejectsByReason,
        Dictionary<string, long> flags, SalesFileDrift? salesDrift, ProductApiDrift? productDrift) => new
    {
        run_id = runId,
        snapshot_id = snapshotId,
        outcome = verdict.Outcome,
        reason = verdict.Reason,
        rows_read = facts.RowsRead,
        rows_accepted = facts.RowsAccepted,
        rows_rejected = facts.RowsRejected,
        duplicates_dropped = facts.DuplicatesDropped,
        rejected_by_reason = rejectsByReason,
        flags,
        expectations = verdict.Expectations.Select(e => new { name = e.Name, severity = e.Severity, passed = e.Passed, observed = e.Observed, threshold = e.Threshold }),
        schema_drift = new
        {
            sales_file = salesDrift is null ? null : new
            {
                drift = salesDrift.HasDrift,
                columns = salesDrift.Columns,
                expected_columns = SchemaDrift.ExpectedSalesColumns,
                extra_columns = salesDrift.ExtraColumns,
                required_in_spec_order = salesDrift.RequiredInSpecOrder,
            },
            product_api = productDrift is null ? null : new
            {
                drift = productDrift.HasDrift,
                items = productDrift.Items,
                expected_fields = SchemaDrift.ExpectedProductFields,
                added_fields = productDrift.AddedFields,
                missing_fields = productDrift.MissingFields,
                partial_fields = productDrift.PartialFields,
            },
        },
    };

    static async Task<QualityFacts> ReadFactsAsync(Query query, CancellationToken cancellationToken)
    {
        await using var command = query.Command(query.Dialect.QualityFacts);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new QualityFacts(
            RowsRead: reader.GetInt64(0),
            RowsAccepted: reader.GetInt64(1),
            RowsRejected: reader.GetInt64(2),
            DuplicatesDropped: reader.GetInt64(3),
            UnknownProductRows: reader.GetInt64(4),
            NullRequiredValues: reader.GetInt64(5),
            FactNetRevenue: query.Dialect.GetMoney(reader, 6),
            ProductRevenueNet: query.Dialect.GetMoney(reader, 7),
            ChannelPerformanceNet: query.Dialect.GetMoney(reader, 8));
    }

    static async Task<Dictionary<string, long>> ReadRejectsByReasonAsync(Query query, CancellationToken cancellationToken)
    {
        var counts = RejectReasons.All.ToDictionary(reason => reason, _ => 0L);
        await using var command = query.Command(query.Dialect.RejectsByReason);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }

    static async Task<Dictionary<string, long>> ReadFlagCountsAsync(Query query, CancellationToken cancellationToken)
    {
        await using var command = query.Command(query.Dialect.FlagCounts);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return SaleFlagNames.AllFlags.Select((flag, i) => (Name: SaleFlagNames.GetName(flag), Count: reader.GetInt64(i))).ToDictionary(x => x.Name, x => x.Count);
    }

    // Null for a run ingested before run_ingest_info existed.
    static async Task<SalesFileDrift?> ReadSalesDriftAsync(Query query, CancellationToken cancellationToken)
    {
        await using var command = query.Command("SELECT header_columns, extra_columns, required_in_order FROM run_ingest_info WHERE run_id = @run");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new SalesFileDrift(query.Dialect.GetNames(reader, 0), query.Dialect.GetNames(reader, 1), reader.GetBoolean(2));
    }

    // Null for a snapshot stored before product_snapshot_fields existed (it has items but no field rows).
    static async Task<ProductApiDrift?> ReadProductDriftAsync(Query query, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (var fields = query.Command("SELECT field, items FROM product_snapshot_fields WHERE snapshot_id = @snapshot"))
        await using (var reader = await fields.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                counts[reader.GetString(0)] = reader.GetInt32(1);
        }

        await using var items = query.Command($"""
            SELECT s.items_read - (SELECT count(*) FROM product_rejects r WHERE r.snapshot_id = s.snapshot_id AND r.reason = '{ProductRejectReasons.NotAnObject}')
            FROM product_snapshots s WHERE s.snapshot_id = @snapshot
            """);
        var objectItems = Convert.ToInt32(await items.ExecuteScalarAsync(cancellationToken) ?? 0, CultureInfo.InvariantCulture);
        if (counts.Count == 0 && objectItems > 0)
            return null;
        return SchemaDrift.CompareProductFields(objectItems, counts);
    }

    static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    sealed record Query(DbConnection Connection, DbTransaction Transaction, RunFinalizationDialect Dialect, Guid RunId, long SnapshotId)
    {
        public DbCommand Command(string sql) => Dialect.Command(Connection, Transaction, sql, RunId, SnapshotId);

        public async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
        {
            await using var command = Command(sql);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
