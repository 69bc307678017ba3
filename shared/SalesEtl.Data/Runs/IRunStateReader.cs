using Npgsql;

namespace SalesEtl.Data.Runs;

/// <summary>What a worker asks about its run before doing work: was it cancelled meanwhile?</summary>
public interface IRunStateReader
{
    Task<bool> IsCancelledAsync(Guid runId, CancellationToken cancellationToken);
}

/// <summary>Reads the saga's row in PostgreSQL (<see cref="RunStates"/>).</summary>
public sealed class PostgresRunStateReader(NpgsqlDataSource dataSource) : IRunStateReader
{
    public Task<bool> IsCancelledAsync(Guid runId, CancellationToken cancellationToken) =>
        RunStates.IsCancelledAsync(dataSource, runId, cancellationToken);
}
