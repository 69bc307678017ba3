using System.Text.Json;
using Npgsql;
using SalesEtl.Data.Runs;
using SalesEtl.MetricsLoader.Sql;
using SalesEtl.Pipeline.Products;
using SalesEtl.Pipeline.Quality;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.MetricsLoader;

/// <summary>The outcome of finishing a run's numbers.</summary>
/// <remarks>Null from <see cref="RunFinalizer.FinalizeAsync"/> when the run was cancelled meanwhile.</remarks>
public sealed record RunTotals(QualityVerdict Verdict, QualityFacts Facts, IReadOnlyDictionary<string, long> RejectsByReason);

/// <summary>
/// Finishes a run in one transaction: resolves duplicates over the whole run, computes the metric
/// tables and the quality report. Everything of the run is deleted first, so a redelivered
/// command rewrites the same rows.
/// </summary>
public sealed class RunFinalizer(NpgsqlDataSource dataSource) : IRunFinalizer
{
    const string LockRun = "SELECT pg_advisory_xact_lock(hashtextextended(@run::text, 0))";

    const string PurgeRun = """
        DELETE FROM staged_chunks WHERE run_id = @run;
        DELETE FROM transformed_sales WHERE run_id = @run;
        DELETE FROM rejected_rows WHERE run_id = @run;
        DELETE FROM quality_reports WHERE run_id = @run;
        """;

    public async Task<RunTotals?> FinalizeAsync(Guid runId, long snapshotId, QualityOptions qualityOptions, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Two deliveries of the same command, or a finalize and a purge, must not interleave.
        await ExecuteAsync(connection, transaction, LockRun, runId, snapshotId, cancellationToken);
        if (await RunStates.IsCancelledAsync(connection, transaction, runId, cancellationToken))
            return null;
        await EnsureCompleteAsync(connection, transaction, runId, cancellationToken);
        await ExecuteAsync(connection, transaction, DuplicateResolutionSql.Clear + MetricSql.Clear, runId, snapshotId, cancellationToken);
        await ExecuteAsync(connection, transaction, DuplicateResolutionSql.Rank, runId, snapshotId, cancellationToken);
        await ExecuteAsync(connection, transaction, DuplicateResolutionSql.Resolve, runId, snapshotId, cancellationToken);
        foreach (var statement in MetricSql.InOrder)
            await ExecuteAsync(connection, transaction, statement, runId, snapshotId, cancellationToken);

        var facts = await ReadFactsAsync(connection, transaction, runId, cancellationToken);
        var verdict = QualityEvaluator.Evaluate(facts, qualityOptions);
        var rejectsByReason = await ReadRejectsByReasonAsync(connection, transaction, runId, cancellationToken);
        var flags = await ReadFlagCountsAsync(connection, transaction, runId, cancellationToken);
        var salesDrift = await ReadSalesDriftAsync(connection, transaction, runId, cancellationToken);
        var productDrift = await ReadProductDriftAsync(connection, transaction, snapshotId, cancellationToken);
        var report = new
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

        await using (var save = new NpgsqlCommand("""
            INSERT INTO quality_reports (run_id, outcome, reason, rows_read, rows_accepted, rows_rejected, duplicates_dropped, report_json, created_at)
            VALUES (@run, @outcome, @reason, @read, @accepted, @rejected, @duplicates, @report::jsonb, now())
            ON CONFLICT (run_id) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason, rows_read = excluded.rows_read,
                rows_accepted = excluded.rows_accepted, rows_rejected = excluded.rows_rejected,
                duplicates_dropped = excluded.duplicates_dropped, report_json = excluded.report_json, created_at = excluded.created_at
            """, connection, transaction))
        {
            save.Parameters.AddWithValue("run", runId);
            save.Parameters.AddWithValue("outcome", verdict.Outcome);
            save.Parameters.AddWithValue("reason", (object?)verdict.Reason ?? DBNull.Value);
            save.Parameters.AddWithValue("read", facts.RowsRead);
            save.Parameters.AddWithValue("accepted", facts.RowsAccepted);
            save.Parameters.AddWithValue("rejected", facts.RowsRejected);
            save.Parameters.AddWithValue("duplicates", facts.DuplicatesDropped);
            save.Parameters.AddWithValue("report", JsonSerializer.Serialize(report));
            await save.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new RunTotals(verdict, facts, rejectsByReason);
    }

    /// <summary>Deletes every row the run wrote, so that a cancelled run leaves nothing half-written.</summary>
    public async Task PurgeAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, LockRun, runId, 0, cancellationToken);
        await ExecuteAsync(connection, transaction, DuplicateResolutionSql.Clear + MetricSql.Clear + PurgeRun, runId, 0, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    // The intermediate tables are UNLOGGED: after a PostgreSQL crash they are empty. Every row the ingestor read must
    // be a candidate or a reject of its chunk here, else the run would load partial results without a word.
    const string Completeness = """
        SELECT r.rows_read,
               (SELECT count(*) FROM transformed_sales WHERE run_id = @run)
             + (SELECT count(*) FROM rejected_rows WHERE run_id = @run AND reason <> 'duplicate_conflict')
        FROM batch_runs r WHERE r.run_id = @run
        """;

    static async Task EnsureCompleteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(Completeness, connection, transaction) { CommandTimeout = 0 };
        command.Parameters.AddWithValue("run", runId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken) || reader.IsDBNull(0))
            return;
        var read = reader.GetInt64(0);
        var transformed = reader.GetInt64(1);
        if (read != transformed)
        {
            throw new InvalidOperationException(
                $"The run read {read} rows but only {transformed} are transformed: intermediate rows were lost (a PostgreSQL crash empties the staging tables); run the file again.");
        }
    }

    static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, Guid runId, long snapshotId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        command.Parameters.AddWithValue("run", runId);
        command.Parameters.AddWithValue("snapshot", snapshotId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    static async Task<QualityFacts> ReadFactsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(MetricSql.QualityFacts, connection, transaction);
        command.Parameters.AddWithValue("run", runId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new QualityFacts(
            RowsRead: reader.GetInt64(0),
            RowsAccepted: reader.GetInt64(1),
            RowsRejected: reader.GetInt64(2),
            DuplicatesDropped: reader.GetInt64(3),
            UnknownProductRows: reader.GetInt64(4),
            NullRequiredValues: reader.GetInt64(5),
            FactNetRevenue: reader.GetDecimal(6),
            ProductRevenueNet: reader.GetDecimal(7),
            ChannelPerformanceNet: reader.GetDecimal(8));
    }

    static async Task<Dictionary<string, long>> ReadRejectsByReasonAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, CancellationToken cancellationToken)
    {
        var counts = RejectReasons.All.ToDictionary(reason => reason, _ => 0L);
        await using var command = new NpgsqlCommand(MetricSql.RejectsByReason, connection, transaction);
        command.Parameters.AddWithValue("run", runId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }

    // Null for a run ingested before run_ingest_info existed.
    static async Task<SalesFileDrift?> ReadSalesDriftAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT header_columns, extra_columns, required_in_order FROM run_ingest_info WHERE run_id = @run", connection, transaction);
        command.Parameters.AddWithValue("run", runId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new SalesFileDrift(reader.GetFieldValue<string[]>(0), reader.GetFieldValue<string[]>(1), reader.GetBoolean(2));
    }

    // Null for a snapshot stored before product_snapshot_fields existed (it has items but no field rows).
    static async Task<ProductApiDrift?> ReadProductDriftAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long snapshotId, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (var fields = new NpgsqlCommand("SELECT field, items FROM product_snapshot_fields WHERE snapshot_id = @snapshot", connection, transaction))
        {
            fields.Parameters.AddWithValue("snapshot", snapshotId);
            await using var reader = await fields.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                counts[reader.GetString(0)] = reader.GetInt32(1);
        }

        await using var items = new NpgsqlCommand($"""
            SELECT s.items_read - (SELECT count(*) FROM product_rejects r WHERE r.snapshot_id = s.snapshot_id AND r.reason = '{ProductRejectReasons.NotAnObject}')
            FROM product_snapshots s WHERE s.snapshot_id = @snapshot
            """, connection, transaction);
        items.Parameters.AddWithValue("snapshot", snapshotId);
        var objectItems = Convert.ToInt32(await items.ExecuteScalarAsync(cancellationToken) ?? 0, System.Globalization.CultureInfo.InvariantCulture);
        if (counts.Count == 0 && objectItems > 0)
            return null;
        return SchemaDrift.CompareProductFields(objectItems, counts);
    }

    static async Task<Dictionary<string, long>> ReadFlagCountsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(MetricSql.FlagCounts, connection, transaction);
        command.Parameters.AddWithValue("run", runId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return MetricSql.FlaggedValues.Select((flag, i) => (Name: SaleFlagNames.GetName(flag), Count: reader.GetInt64(i))).ToDictionary(x => x.Name, x => x.Count);
    }
}
