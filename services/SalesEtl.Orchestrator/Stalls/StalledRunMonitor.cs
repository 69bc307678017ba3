using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;
using SalesEtl.Contracts;

namespace SalesEtl.Orchestrator.Stalls;

/// <summary>
/// The saga's timeouts without a message scheduler (no delayed-message plugin, no Quartz here):
/// every run in flight carries a step deadline that progress pushes forward; this service finds
/// runs past it and publishes <see cref="BatchRunStepTimedOut"/> once per missed deadline.
/// With several orchestrator replicas, <c>FOR UPDATE SKIP LOCKED</c> hands each overdue run to one
/// of them, and the report is recorded in the same transaction, so a deadline is reported once;
/// if a report is lost before commit it is simply made again on the next scan, and the saga
/// ignores a report whose deadline is no longer the run's.
/// </summary>
public sealed class StalledRunMonitor(
    NpgsqlDataSource dataSource,
    IBus bus,
    IOptions<OrchestratorOptions> options,
    ILogger<StalledRunMonitor> logger) : BackgroundService
{
    const string ClaimOverdueRuns = """
        WITH due AS (
            SELECT run_id FROM batch_runs
            WHERE current_state IN ('Extracting', 'Transforming', 'Loading')
              AND step_deadline < now()
              AND step_deadline IS DISTINCT FROM stall_notified_deadline
            ORDER BY step_deadline
            LIMIT 100
            FOR UPDATE SKIP LOCKED)
        UPDATE batch_runs b SET stall_notified_deadline = b.step_deadline
        FROM due WHERE b.run_id = due.run_id
        RETURNING b.run_id, b.step_deadline, b.current_state
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.StallScanInterval);
        do
        {
            try
            {
                await ScanAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or MassTransitException)
            {
                logger.LogWarning(exception, "Stall scan failed; trying again at the next interval");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<int> ScanAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var overdue = new List<(Guid RunId, DateTimeOffset Deadline, string State)>();
        await using (var command = new NpgsqlCommand(ClaimOverdueRuns, connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                overdue.Add((reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2)));
        }

        foreach (var (runId, deadline, state) in overdue)
        {
            logger.LogWarning("Run {RunId} made no progress in {State} before {Deadline:O}; reporting a stall", runId, state, deadline);
            await bus.Publish(new BatchRunStepTimedOut(runId, deadline), cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return overdue.Count;
    }
}
