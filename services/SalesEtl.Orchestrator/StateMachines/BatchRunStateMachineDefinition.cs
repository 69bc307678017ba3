using MassTransit;
using Npgsql;
using SalesEtl.Data.Runs;

namespace SalesEtl.Orchestrator.StateMachines;

/// <summary>
/// Endpoint settings of the saga: retries for what row locks and late visibility can cause
/// (deadlock, lock timeout, lost connection, an event that beat its run row), and the in-memory
/// outbox so that commands leave only after the saga row is committed.
/// </summary>
public sealed class BatchRunStateMachineDefinition : SagaDefinition<BatchRunState>
{
    public BatchRunStateMachineDefinition()
    {
        Endpoint(e => e.Name = "batch-run-state");
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<BatchRunState> sagaConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Exponential(10, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100));
            retry.Handle<NpgsqlException>();
            retry.Handle<Microsoft.EntityFrameworkCore.DbUpdateException>();
            retry.Handle<SagaException>();
            retry.Handle<InvalidOperationException>();
            retry.Handle<TimeoutException>();
        });
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}
