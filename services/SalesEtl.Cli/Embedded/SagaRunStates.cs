using MassTransit;
using SalesEtl.Data.Runs;

namespace SalesEtl.Cli.Embedded;

/// <summary>Run states from the in-memory saga repository of the embedded bus (there is no run row until the run ends).</summary>
public sealed class SagaRunStates(ILoadSagaRepository<BatchRunState> sagas) : IRunStateReader
{
    public async Task<bool> IsCancelledAsync(Guid runId, CancellationToken cancellationToken) =>
        await sagas.Load(runId) is { CurrentState: RunStates.Cancelled };

    public Task<BatchRunState?> FindAsync(Guid runId) => sagas.Load(runId)!;
}
