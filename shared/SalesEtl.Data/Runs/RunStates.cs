using Npgsql;

namespace SalesEtl.Data.Runs;

/// <summary>Quick reads of a run's saga state, for workers that must stop when a run is cancelled.</summary>
public static class RunStates
{
    public const string Cancelled = "Cancelled";
    public const string Succeeded = "Succeeded";
    public const string SucceededWithWarnings = "SucceededWithWarnings";
    public const string Failed = "Failed";

    /// <summary>The run's saga state, or null when there is no saga row (a run driven without the orchestrator).</summary>
    public static async Task<string?> GetAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT current_state FROM batch_runs WHERE run_id = @run", connection, transaction);
        command.Parameters.AddWithValue("run", runId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public static bool HasSucceeded(string? state) => state is Succeeded or SucceededWithWarnings;

    public static async Task<bool> IsCancelledAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid runId, CancellationToken cancellationToken) =>
        await GetAsync(connection, transaction, runId, cancellationToken) is Cancelled;

    public static async Task<bool> IsCancelledAsync(NpgsqlDataSource dataSource, Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await IsCancelledAsync(connection, null, runId, cancellationToken);
    }
}
