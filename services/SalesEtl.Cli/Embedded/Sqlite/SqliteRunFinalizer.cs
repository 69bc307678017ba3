using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SalesEtl.Data.Runs;
using SalesEtl.MetricsLoader;
using SalesEtl.Pipeline.Products;
using SalesEtl.Pipeline.Quality;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Cli.Embedded.Sqlite;

/// <summary>
/// <see cref="RunFinalizer"/> on SQLite: resolves duplicates, fills the metric tables (<see cref="SqliteMetricSql"/>)
/// and writes the quality report, in one transaction; everything of the run is deleted first, so a redelivery
/// rewrites the same rows. The report is built exactly as the PostgreSQL finalizer builds it.
/// </summary>
public sealed class SqliteRunFinalizer(SqliteEtlStore store, IRunStateReader runStates) : IRunFinalizer
{
    public async Task<RunTotals?> FinalizeAsync(Guid runId, long snapshotId, QualityOptions qualityOptions, CancellationToken cancellationToken)
    {
        if (await runStates.IsCancelledAsync(runId, cancellationToken))
            return null;
        var run = SqliteValues.Id(runId);
        return await store.WriteAsync(async (connection, transaction) =>
        {
            await ExecuteAsync(connection, transaction, SqliteMetricSql.Clear, run, snapshotId, cancellationToken);
            foreach (var statement in SqliteMetricSql.InOrder)
                await ExecuteAsync(connection, transaction, statement, run, snapshotId, cancellationToken);

            QualityFacts facts;
            await using (var command = Command(connection, transaction, SqliteMetricSql.QualityFacts, run, snapshotId))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                facts = new QualityFacts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5),
                    SqliteValues.Money(reader.GetInt64(6)), SqliteValues.Money(reader.GetInt64(7)), SqliteValues.Money(reader.GetInt64(8)));
            }
            var verdict = QualityEvaluator.Evaluate(facts, qualityOptions);

            var rejectsByReason = RejectReasons.All.ToDictionary(reason => reason, _ => 0L);
            await using (var command = Command(connection, transaction, SqliteMetricSql.RejectsByReason, run, snapshotId))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                    rejectsByReason[reader.GetString(0)] = reader.GetInt64(1);
            }

            Dictionary<string, long> flags;
            await using (var command = Command(connection, transaction, SqliteMetricSql.FlagCounts, run, snapshotId))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                flags = SaleFlagNames.AllFlags.Select((flag, i) => (Name: SaleFlagNames.GetName(flag), Count: reader.GetInt64(i))).ToDictionary(x => x.Name, x => x.Count);
            }

            var salesDrift = await ReadSalesDriftAsync(connection, transaction, run, cancellationToken);
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

            await using (var save = Command(connection, transaction, """
                INSERT OR REPLACE INTO quality_reports (run_id, outcome, reason, rows_read, rows_accepted, rows_rejected, duplicates_dropped, report_json, created_at)
                VALUES (@run, @outcome, @reason, @read, @accepted, @rejected, @duplicates, @report, @at)
                """, run, snapshotId))
            {
                save.Parameters.AddWithValue("@outcome", verdict.Outcome);
                save.Parameters.AddWithValue("@reason", (object?)verdict.Reason ?? DBNull.Value);
                save.Parameters.AddWithValue("@read", facts.RowsRead);
                save.Parameters.AddWithValue("@accepted", facts.RowsAccepted);
                save.Parameters.AddWithValue("@rejected", facts.RowsRejected);
                save.Parameters.AddWithValue("@duplicates", facts.DuplicatesDropped);
                save.Parameters.AddWithValue("@report", JsonSerializer.Serialize(report, ReportJson));
                save.Parameters.AddWithValue("@at", SqliteValues.Micros(DateTimeOffset.UtcNow));
                await save.ExecuteNonQueryAsync(cancellationToken);
            }
            return new RunTotals(verdict, facts, rejectsByReason);
        }, cancellationToken);
    }

    static readonly JsonSerializerOptions ReportJson = new() { WriteIndented = true };

    public Task PurgeAsync(Guid runId, CancellationToken cancellationToken) =>
        store.WriteAsync((connection, transaction) => ExecuteAsync(connection, transaction, SqliteMetricSql.Clear + SqliteMetricSql.PurgeRun, SqliteValues.Id(runId), 0, cancellationToken), cancellationToken);

    static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, string run, long snapshotId)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.CommandTimeout = 0;
        command.Parameters.AddWithValue("@run", run);
        command.Parameters.AddWithValue("@snapshot", snapshotId);
        return command;
    }

    static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, string run, long snapshotId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, run, snapshotId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    static async Task<SalesFileDrift?> ReadSalesDriftAsync(SqliteConnection connection, SqliteTransaction transaction, string run, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT header_columns, extra_columns, required_in_order FROM run_ingest_info WHERE run_id = @run", run, 0);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new SalesFileDrift(
            JsonSerializer.Deserialize<string[]>(reader.GetString(0)) ?? [],
            JsonSerializer.Deserialize<string[]>(reader.GetString(1)) ?? [],
            reader.GetBoolean(2));
    }

    static async Task<ProductApiDrift?> ReadProductDriftAsync(SqliteConnection connection, SqliteTransaction transaction, long snapshotId, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (var fields = Command(connection, transaction, "SELECT field, items FROM product_snapshot_fields WHERE snapshot_id = @snapshot", "", snapshotId))
        await using (var reader = await fields.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                counts[reader.GetString(0)] = reader.GetInt32(1);
        }

        await using var items = Command(connection, transaction, $"""
            SELECT s.items_read - (SELECT count(*) FROM product_rejects r WHERE r.snapshot_id = s.snapshot_id AND r.reason = '{ProductRejectReasons.NotAnObject}')
            FROM product_snapshots s WHERE s.snapshot_id = @snapshot
            """, "", snapshotId);
        var objectItems = Convert.ToInt32(await items.ExecuteScalarAsync(cancellationToken) ?? 0, CultureInfo.InvariantCulture);
        if (counts.Count == 0 && objectItems > 0)
            return null;
        return SchemaDrift.CompareProductFields(objectItems, counts);
    }
}
