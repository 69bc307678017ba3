using System.Data.Common;
using Npgsql;
using SalesEtl.Data.Quality;

namespace SalesEtl.MetricsLoader.Sql;

/// <summary>
/// PostgreSQL's part of <see cref="RunFinalization"/>'s report: uuid and numeric values, text[] names. The statements
/// before the report are <c>RunFinalizer</c>'s, which spreads them over connections and interleaves them with reads.
/// </summary>
sealed class FinalizationSql : RunFinalizationDialect
{
    public static FinalizationSql Instance { get; } = new();

    public override string QualityFacts => MetricSql.QualityFacts;

    public override string RejectsByReason => MetricSql.RejectsByReason;

    public override string FlagCounts => MetricSql.FlagCounts;

    public override string SaveReport => """
        INSERT INTO quality_reports (run_id, outcome, reason, rows_read, rows_accepted, rows_rejected, duplicates_dropped, report_json, created_at)
        VALUES (@run, @outcome, @reason, @read, @accepted, @rejected, @duplicates, @report::jsonb, now())
        ON CONFLICT (run_id) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason, rows_read = excluded.rows_read,
            rows_accepted = excluded.rows_accepted, rows_rejected = excluded.rows_rejected,
            duplicates_dropped = excluded.duplicates_dropped, report_json = excluded.report_json, created_at = excluded.created_at
        """;

    public override DbCommand Command(DbConnection connection, DbTransaction transaction, string sql, Guid runId, long snapshotId)
    {
        var command = new NpgsqlCommand(sql, (NpgsqlConnection)connection, (NpgsqlTransaction)transaction) { CommandTimeout = 0 };
        command.Parameters.AddWithValue("run", runId);
        command.Parameters.AddWithValue("snapshot", snapshotId);
        return command;
    }

    public override decimal GetMoney(DbDataReader reader, int ordinal) => reader.GetDecimal(ordinal);

    public override IReadOnlyList<string> GetNames(DbDataReader reader, int ordinal) => reader.GetFieldValue<string[]>(ordinal);
}
