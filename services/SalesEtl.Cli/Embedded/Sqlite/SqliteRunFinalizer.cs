using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SalesEtl.Data.Quality;
using SalesEtl.Data.Runs;
using SalesEtl.MetricsLoader;
using SalesEtl.Pipeline.Quality;

namespace SalesEtl.Cli.Embedded.Sqlite;

/// <summary>
/// <see cref="RunFinalizer"/> on SQLite: <see cref="RunFinalization"/> with <see cref="SqliteMetricSql"/>, in one transaction;
/// everything of the run is deleted first, so a redelivery rewrites the same rows.
/// </summary>
public sealed class SqliteRunFinalizer(SqliteEtlStore store, IRunStateReader runStates) : IRunFinalizer
{
    public async Task<RunTotals?> FinalizeAsync(Guid runId, long snapshotId, QualityOptions qualityOptions, CancellationToken cancellationToken)
    {
        if (await runStates.IsCancelledAsync(runId, cancellationToken))
            return null;
        return await store.WriteAsync((connection, transaction) =>
            RunFinalization.CompleteAsync(connection, transaction, Dialect.Instance, Dialect.Steps, runId, snapshotId, qualityOptions, cancellationToken), cancellationToken);
    }

    public Task PurgeAsync(Guid runId, CancellationToken cancellationToken) =>
        store.WriteAsync(async (connection, transaction) =>
        {
            await using var command = Dialect.Instance.Command(connection, transaction, SqliteMetricSql.Clear + SqliteMetricSql.PurgeRun, runId, 0);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    /// <summary>SQLite's part: text run ids, integer cents and microseconds, names as JSON arrays.</summary>
    sealed class Dialect : RunFinalizationDialect
    {
        public static Dialect Instance { get; } = new();

        /// <summary>Every step is one statement here: SQLite's finalization runs them in order in one transaction.</summary>
        public static IReadOnlyList<FinalizationStep> Steps { get; } = [new(FinalizationSteps.Clear, SqliteMetricSql.Clear), .. SqliteMetricSql.InOrder];

        public override string QualityFacts => SqliteMetricSql.QualityFacts;

        public override string RejectsByReason => SqliteMetricSql.RejectsByReason;

        public override string FlagCounts => SqliteMetricSql.FlagCounts;

        public override string SaveReport => """
            INSERT OR REPLACE INTO quality_reports (run_id, outcome, reason, rows_read, rows_accepted, rows_rejected, duplicates_dropped, report_json, created_at)
            VALUES (@run, @outcome, @reason, @read, @accepted, @rejected, @duplicates, @report, @at)
            """;

        public override JsonSerializerOptions ReportJson { get; } = new() { WriteIndented = true };

        public override DbCommand Command(DbConnection connection, DbTransaction transaction, string sql, Guid runId, long snapshotId)
        {
            var command = ((SqliteConnection)connection).CreateCommand();
            command.Transaction = (SqliteTransaction)transaction;
            command.CommandText = sql;
            command.CommandTimeout = 0;
            command.Parameters.AddWithValue("@run", SqliteValues.Id(runId));
            command.Parameters.AddWithValue("@snapshot", snapshotId);
            return command;
        }

        public override decimal GetMoney(DbDataReader reader, int ordinal) => SqliteValues.Money(reader.GetInt64(ordinal));

        public override IReadOnlyList<string> GetNames(DbDataReader reader, int ordinal) => JsonSerializer.Deserialize<string[]>(reader.GetString(ordinal)) ?? [];

        public override void AddReportParameters(DbCommand save) =>
            ((SqliteCommand)save).Parameters.AddWithValue("@at", SqliteValues.Micros(DateTimeOffset.UtcNow));
    }
}
