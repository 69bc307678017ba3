using Npgsql;
using SalesEtl.Data.Quality;
using SalesEtl.Data.Runs;
using SalesEtl.MetricsLoader.Aggregation;
using SalesEtl.MetricsLoader.Sql;
using SalesEtl.Pipeline.Quality;

namespace SalesEtl.MetricsLoader;

/// <summary>
/// Finishes a run: resolves duplicates over the whole run, computes the metric tables and the quality report
/// (<see cref="RunFinalization"/> with <see cref="FinalizationSql"/>). What an earlier attempt wrote is deleted first,
/// so a redelivered command rewrites the same rows.
/// <para>
/// Three phases under the run's lock, held for the session from the first to the last: the facts made final in one
/// transaction; the metric tables in two lanes side by side, each lane a transaction: <see cref="MetricSql.RunLane"/> on
/// this session's connection (its temporary table of the run's channel months serves the report), and
/// <see cref="MetricSql.CustomerLane"/> on a connection of its own; the quality report, which marks the run finalized,
/// in a last transaction, which drops the temporary table. A failure
/// between phases leaves final facts and some metric tables without a report; the run fails at its metrics step, and
/// its retry (or a redelivery) finalizes it again from the start. Nothing reads a run's metrics as final before its
/// report exists and it has succeeded.
/// </para>
/// </summary>
public sealed class RunFinalizer(NpgsqlDataSource dataSource, MetricsLoaderOptions? options = null) : IRunFinalizer
{
    readonly MetricTables metricTables = new(dataSource, options ?? new MetricsLoaderOptions());

    const string PurgeRun = """
        DELETE FROM fact_sales WHERE run_id = @run;
        DELETE FROM transformed_chunks WHERE run_id = @run;
        DELETE FROM staged_chunks WHERE run_id = @run;
        DELETE FROM transformed_sales WHERE run_id = @run;
        DELETE FROM rejected_rows WHERE run_id = @run;
        DELETE FROM quality_reports WHERE run_id = @run;
        """;

    public async Task<RunTotals?> FinalizeAsync(Guid runId, long snapshotId, QualityOptions qualityOptions, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Two deliveries of the same command, a finalize and a purge, a finalize and a late chunk write must not interleave.
        await ExecuteAsync(connection, null, RunLocks.ExclusiveForSession, runId, snapshotId, cancellationToken);
        try
        {
            var timings = new List<StepTiming>();
            await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
            {
                // A cancelled run loads nothing; a succeeded one has its numbers, and after retention (IntermediateRowsSweeper)
                // no longer the rows to recompute them from, so a late redelivery of its command is a no-op.
                var state = await RunStates.GetAsync(connection, transaction, runId, cancellationToken);
                if (state is RunStates.Cancelled || RunStates.HasSucceeded(state))
                    return null;
            }

            // Committed at once (outside a transaction), so that the completeness check's own connection plans with them too.
            await ExecuteAsync(connection, null, RefreshStatistics, runId, snapshotId, cancellationToken);
            await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
            {
                timings.AddRange(await RankBesideCompletenessCheckAsync(connection, transaction, runId, snapshotId, cancellationToken));
                timings.AddRange(await RunFinalization.RunStepsAsync(connection, transaction, FinalizationSql.Instance, FinalizationSql.LoadSteps, runId, snapshotId, cancellationToken));
                await transaction.CommitAsync(cancellationToken);
            }

            timings.AddRange(await metricTables.WriteAsync(connection, runId, snapshotId, cancellationToken));

            await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
            {
                var totals = await RunFinalization.ReportAsync(connection, transaction, FinalizationSql.Instance, runId, snapshotId, qualityOptions, timings, cancellationToken);
                await ExecuteAsync(connection, transaction, MetricSql.DropTemporaryTables, runId, snapshotId, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return totals;
            }
        }
        finally
        {
            // Closing the connection releases the lock too (Npgsql resets a pooled connection), should this fail.
            if (connection.State == System.Data.ConnectionState.Open)
                await ExecuteAsync(connection, null, RunLocks.ReleaseForSession, runId, snapshotId, CancellationToken.None);
        }
    }

    /// <summary>
    /// Clears the earlier attempt and ranks the waiting candidates in the facts' transaction while another connection
    /// checks that the run is complete: a core was idle for the check (10 M rows: about 1 s) before the ranking. It sees
    /// the committed rows, as the check did before it in the same transaction: nothing the ranking changes. An
    /// incomplete run throws before any fact is loaded.
    /// </summary>
    Task<IEnumerable<StepTiming>> RankBesideCompletenessCheckAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, long snapshotId, CancellationToken cancellationToken) =>
        SideBySide.RunAsync(
            cancellationToken,
            token => RunFinalization.RunStepsAsync(connection, transaction, FinalizationSql.Instance, FinalizationSql.RankSteps, runId, snapshotId, token),
            async token =>
            {
                await EnsureCompleteAsync(runId, token);
                return [];
            });

    /// <summary>Deletes every row the run wrote, so that a cancelled run leaves nothing half-written.</summary>
    public async Task PurgeAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, RunLocks.Exclusive, runId, 0, cancellationToken);
        await ExecuteAsync(connection, transaction, DuplicateResolutionSql.Clear + MetricSql.Clear + PurgeRun, runId, 0, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    // Every statement from here on joins the run's rows of these tables. Their statistics are stale right after a run's
    // chunks land (or after a truncate): with them the planner took the run for a few rows and chose nested loops that
    // ran for minutes (the completeness count below for one, an anti-join of 1 M facts against the waiting candidates).
    const string RefreshStatistics = "ANALYZE transformed_sales; ANALYZE fact_sales;";

    // The intermediate tables are UNLOGGED: after a PostgreSQL crash they are empty. Every row the ingestor read must
    // be a fact its transformer loaded, a candidate waiting for the duplicate check, or a reject of its chunk here,
    // else the run would load partial results without a word. Facts that an earlier finalization inserted from the
    // waiting candidates are counted once, as waiting candidates: one scan of the run's facts, hash-joined to the waiting
    // lines (fact_sales has no key to probe them by) only when an earlier finalization loaded winners from them.
    const string Completeness = $"""
        SELECT r.rows_read,
               (SELECT count(*) FROM transformed_sales WHERE run_id = @run)
             + (SELECT count(*) FROM rejected_rows WHERE run_id = @run AND reason <> 'duplicate_conflict')
             + CASE WHEN {DuplicateResolutionSql.WinnersLoaded}
                    THEN (SELECT count(*) - count(w.source_line)
                          FROM fact_sales f
                          LEFT JOIN {DuplicateResolutionSql.WaitingLines} ON w.source_line = f.source_line
                          WHERE f.run_id = @run)
                    ELSE (SELECT count(*) FROM fact_sales WHERE run_id = @run) END
        FROM batch_runs r WHERE r.run_id = @run
        """;

    async Task EnsureCompleteAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(Completeness, connection) { CommandTimeout = 0 };
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

    static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, Guid runId, long snapshotId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        command.Parameters.AddWithValue("run", runId);
        command.Parameters.AddWithValue("snapshot", snapshotId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
