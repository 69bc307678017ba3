using System.Diagnostics;
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
/// Under the run's lock, held for the session from the first to the last: the earlier attempt's results cleared and
/// committed; the run's facts read once for the metric sums (<see cref="FactReading"/>, on connections of their own)
/// while this session's transaction makes them final (the waiting candidates ranked, the winners loaded and their rows
/// added to the sums), the run checked complete from the read's count before that transaction commits; the metric
/// tables in two lanes side by side: <see cref="MetricSql.RunLane"/> on this session's connection (its temporary table
/// of the run's channel months serves the report), and <see cref="MetricSql.CustomerLane"/> on connections of its own;
/// the quality report, which marks the run finalized, in a last transaction, which drops the temporary table. A failure
/// between phases leaves the run without a report; the run fails at its metrics step, and its retry (or a redelivery)
/// finalizes it again from the start. Nothing reads a run's metrics as final before its report exists and it has
/// succeeded.
/// </para>
/// </summary>
public sealed class RunFinalizer(NpgsqlDataSource dataSource, MetricsLoaderOptions? options = null) : IRunFinalizer
{
    static readonly MetricsLoaderOptions Defaults = new();

    readonly MetricsLoaderOptions options = options ?? Defaults;
    readonly MetricTables metricTables = new(dataSource, options ?? Defaults);

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

            // Committed at once (outside a transaction), so that the readers' connections plan with them too.
            await ExecuteAsync(connection, null, RefreshStatistics, runId, snapshotId, cancellationToken);
            // Committed before the read, whose connections must not see the winners an earlier attempt loaded.
            timings.Add(await TimedAsync(FinalizationSteps.Clear,
                () => ExecuteAsync(connection, null, DuplicateResolutionSql.Clear + MetricSql.Clear, runId, snapshotId, cancellationToken)));

            var counts = await RunCounts.ReadAsync(connection, runId, cancellationToken);
            using var facts = await MakeFactsFinalBesideTheReadAsync(connection, runId, snapshotId, counts, timings, cancellationToken);

            timings.AddRange(await metricTables.WriteAsync(connection, runId, snapshotId, facts, cancellationToken));
            // Disposed before the compaction, so that it frees the spill's buffers (the using covers a failure before).
            facts.Dispose();
            MetricTables.CompactHeapAfter(facts);

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
    /// Reads the run's facts for the metric sums (<see cref="FactReading"/>, on connections of their own) while this
    /// session's transaction ranks the waiting candidates, loads the winners (their rows sent back for the sums) and
    /// records the losers; then checks from the read's count that the run is complete, and commits. The read began
    /// before the commit, so it does not see the winners; they are added to its sums once. Each side is mostly
    /// PostgreSQL's work on a core of its own (10 M rows: the ranking's scan of the facts about 1 s, the read 5 s).
    /// </summary>
    async Task<FactsRead> MakeFactsFinalBesideTheReadAsync(
        NpgsqlConnection connection, Guid runId, long snapshotId, RunCounts counts, List<StepTiming> timings, CancellationToken cancellationToken)
    {
        FactsRead? facts = null;
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            byte[] winners = [];
            // Whichever side fails first stops the other, and its failure is the one thrown.
            timings.AddRange(await SideBySide.RunAsync(
                cancellationToken,
                async token =>
                {
                    var rank = await TimedAsync(FinalizationSteps.RankDuplicates,
                        () => ExecuteAsync(connection, transaction, DuplicateResolutionSql.Rank, runId, snapshotId, token));
                    var load = await TimedAsync(FinalizationSteps.LoadFacts, async () =>
                    {
                        await ExecuteAsync(connection, transaction, DuplicateResolutionSql.MarkWinnersLoaded, runId, snapshotId, token);
                        winners = await FactReading.CopyOutAsync(connection, DuplicateResolutionSql.LoadWinners(runId, snapshotId, FactReading.Columns), token);
                        await ExecuteAsync(connection, transaction, DuplicateResolutionSql.RecordLosers, runId, snapshotId, token);
                    });
                    return [rank, load];
                },
                async token =>
                {
                    facts = await FactReading.ReadAsync(dataSource, runId, options, token);
                    return [new StepTiming(FinalizationSteps.AggregateFacts, facts.Elapsed)];
                }));
            counts.EnsureComplete(facts!.Facts);
            FactReading.AddLoaded(facts, winners, runId);
            await transaction.CommitAsync(cancellationToken);
            return facts;
        }
        catch
        {
            facts?.Dispose();
            throw;
        }
    }

    static async Task<StepTiming> TimedAsync(string step, Func<Task> work)
    {
        var started = Stopwatch.GetTimestamp();
        await work();
        return new StepTiming(step, Stopwatch.GetElapsedTime(started));
    }

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
    // ran for minutes (an anti-join of 1 M facts against the waiting candidates, for one).
    const string RefreshStatistics = "ANALYZE transformed_sales; ANALYZE fact_sales;";

    static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, Guid runId, long snapshotId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        command.Parameters.AddWithValue("run", runId);
        command.Parameters.AddWithValue("snapshot", snapshotId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
