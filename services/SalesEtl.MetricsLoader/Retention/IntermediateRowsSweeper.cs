using Microsoft.Extensions.Options;
using Npgsql;
using Prometheus;
using SalesEtl.Data;
using SalesEtl.Data.Runs;

namespace SalesEtl.MetricsLoader.Retention;

/// <summary>
/// Releases the intermediate rows of finished runs: the staged records and candidate facts that only a run in flight
/// (or <c>etl retry</c> of a failed one) needs. Results — facts, rejects, duplicates, metrics, the quality report — are
/// never touched, with one exception: a failed run that never reached finalization (no quality report) holds the facts
/// its transformers loaded so far, a part of the file that can no longer be completed once its staged rows are gone,
/// so those facts go too. Without this the UNLOGGED intermediate tables grow by every row of every run.
/// </summary>
/// <remarks>
/// Stateless: a run qualifies while any of its intermediate rows exist (two index probes per finished run), so a
/// sweep interrupted half-way simply continues on the next one. With several metrics-loader replicas a session-level
/// advisory lock lets one sweep at a time; each run is released under the run's own lock (the finalizer's and the
/// purge's), so a late redelivery of the run's commands waits instead of reading half-deleted rows.
/// </remarks>
public sealed class IntermediateRowsSweeper(
    NpgsqlDataSource dataSource,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<IntermediateRowsSweeper> logger) : BackgroundService
{
    /// <summary>
    /// The tables whose rows are intermediate, keyed by <c>run_id</c> first. The chunks' marks (<c>transformed_chunks</c>)
    /// only serve writes of a run not yet finalized; a failed run's go in the same transaction as its partial facts (a
    /// fact without its mark would be loaded twice by a redelivery).
    /// </summary>
    public static readonly IReadOnlyList<string> IntermediateTables = ["staged_chunks", "transformed_sales", "transformed_chunks"];

    const long SweepLockKey = 0x5E7E_0001;

    static readonly Counter RunsReleased = Metrics.CreateCounter("etl_retention_runs_released_total", "Finished runs whose intermediate rows were released.");
    static readonly Counter RowsReleased = Metrics.CreateCounter("etl_retention_rows_released_total", "Intermediate rows deleted by retention.");

    static readonly string FindDueRuns = $"""
        SELECT b.run_id FROM batch_runs b
        WHERE ((b.current_state IN ('{RunStates.Succeeded}', '{RunStates.SucceededWithWarnings}', '{RunStates.Cancelled}') AND b.updated_at < @finished_before)
            OR (b.current_state = '{RunStates.Failed}' AND b.updated_at < @failed_before))
          AND ({string.Join(" OR ", IntermediateTables.Select(t => $"EXISTS (SELECT 1 FROM {t} i WHERE i.run_id = b.run_id)"))})
        ORDER BY b.updated_at
        LIMIT @limit
        """;

    // Succeeded runs have their quality report, cancelled ones were purged: only a failed run can hold facts without one.
    const string DeletePartialFacts = "DELETE FROM fact_sales WHERE run_id = @run AND NOT EXISTS (SELECT 1 FROM quality_reports WHERE run_id = @run)";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            logger.LogInformation("Retention is off: intermediate rows of finished runs are kept");
            return;
        }
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                logger.LogWarning(exception, "Retention sweep failed; trying again at the next interval");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One sweep: releases up to <see cref="RetentionOptions.RunsPerSweep"/> due runs; returns them.</summary>
    public async Task<IReadOnlyList<Guid>> SweepAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await connection.ScalarAsync<bool>(null, $"SELECT pg_try_advisory_lock({SweepLockKey})", cancellationToken))
            return [];
        try
        {
            var now = time.GetUtcNow();
            var due = new List<Guid>();
            await using (var find = new NpgsqlCommand(FindDueRuns, connection))
            {
                find.Parameters.AddWithValue("finished_before", now - settings.FinishedRunsAfter);
                find.Parameters.AddWithValue("failed_before", now - settings.FailedRunsAfter);
                find.Parameters.AddWithValue("limit", settings.RunsPerSweep);
                await using var reader = await find.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                    due.Add(reader.GetGuid(0));
            }

            foreach (var runId in due)
            {
                var rows = await ReleaseAsync(connection, runId, cancellationToken);
                RunsReleased.Inc();
                RowsReleased.Inc(rows);
                logger.LogInformation("Released {Rows} intermediate rows of finished run {RunId}", rows, runId);
            }
            return due;
        }
        finally
        {
            await connection.ScalarAsync<bool>(null, $"SELECT pg_advisory_unlock({SweepLockKey})", CancellationToken.None);
        }
    }

    static async Task<long> ReleaseAsync(NpgsqlConnection connection, Guid runId, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockRun = new NpgsqlCommand(RunLocks.Exclusive, connection, transaction))
        {
            lockRun.Parameters.AddWithValue("run", runId);
            await lockRun.ExecuteNonQueryAsync(cancellationToken);
        }
        long rows = 0;
        foreach (var table in IntermediateTables)
        {
            await using var delete = new NpgsqlCommand($"DELETE FROM {table} WHERE run_id = @run", connection, transaction) { CommandTimeout = 0 };
            delete.Parameters.AddWithValue("run", runId);
            rows += await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var partialFacts = new NpgsqlCommand(DeletePartialFacts, connection, transaction) { CommandTimeout = 0 })
        {
            partialFacts.Parameters.AddWithValue("run", runId);
            rows += await partialFacts.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }
}
