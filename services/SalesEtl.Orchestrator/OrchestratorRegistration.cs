using MassTransit;
using SalesEtl.Data.Runs;
using SalesEtl.Data.Sagas;
using SalesEtl.Orchestrator.StateMachines;

namespace SalesEtl.Orchestrator;

public static class OrchestratorRegistration
{
    /// <summary>The <c>BatchRun</c> saga, persisted in PostgreSQL with row locks.</summary>
    public static void AddBatchRunSaga(this IBusRegistrationConfigurator bus) =>
        bus.AddSagaStateMachine<BatchRunStateMachine, BatchRunState, BatchRunStateMachineDefinition>()
            .Repository(repository => repository.UsePostgres());
}
