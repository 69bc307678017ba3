using Npgsql;
using SalesEtl.ServiceDefaults.Metrics;
using SalesEtl.Orchestrator.StateMachines;

namespace SalesEtl.Orchestrator.Monitoring;

/// <summary>
/// Runs in flight, staging backlog and the age of the last progress, from <c>batch_runs</c> every few
/// seconds. Cheap: it reads only the rows of unfinished runs (a handful), no staging table.
/// </summary>
public sealed class RunStateSampler(NpgsqlDataSource dataSource, ILogger<RunStateSampler> logger)
    : PeriodicMetricsSampler(TimeSpan.FromSeconds(5), logger)
{
    static readonly string[] InFlightStates =
        [nameof(BatchRunStateMachine.Extracting), nameof(BatchRunStateMachine.Transforming), nameof(BatchRunStateMachine.Loading)];

    const string Sql = """
        SELECT current_state,
               count(*),
               coalesce(sum(greatest(cardinality(staged_chunks) - cardinality(transformed_chunks), 0)), 0)::bigint,
               coalesce(extract(epoch FROM now() - min(updated_at)), 0)::float8
        FROM batch_runs
        WHERE current_state = ANY(@states)
        GROUP BY current_state
        """;

    protected override async Task SampleAsync(CancellationToken cancellationToken)
    {
        var counts = InFlightStates.ToDictionary(s => s, _ => 0L);
        long backlog = 0;
        double oldest = 0;
        await using (var command = dataSource.CreateCommand(Sql))
        {
            command.Parameters.AddWithValue("states", InFlightStates);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                counts[reader.GetString(0)] = reader.GetInt64(1);
                backlog += reader.GetInt64(2);
                oldest = Math.Max(oldest, reader.GetDouble(3));
            }
        }

        foreach (var (state, count) in counts)
            OrchestratorMetrics.RunsInProgress.WithLabels(state.ToLowerInvariant()).Set(count);
        OrchestratorMetrics.StagingBacklog.Set(backlog);
        OrchestratorMetrics.LastProgressAge.Set(oldest);
    }
}
