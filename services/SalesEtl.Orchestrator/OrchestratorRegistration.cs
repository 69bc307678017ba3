using MassTransit;
using SalesEtl.Data.Runs;
using SalesEtl.Data.Sagas;
using SalesEtl.Orchestrator.Stalls;
using SalesEtl.Orchestrator.StateMachines;

namespace SalesEtl.Orchestrator;

public static class OrchestratorRegistration
{
    /// <summary>The <c>BatchRun</c> saga, persisted in PostgreSQL with row locks.</summary>
    public static void AddBatchRunSaga(this IBusRegistrationConfigurator bus) =>
        bus.AddSagaStateMachine<BatchRunStateMachine, BatchRunState, BatchRunStateMachineDefinition>()
            .Repository(repository => repository.UsePostgres());

    /// <summary>Options, the stall monitor and the API's services.</summary>
    public static IServiceCollection AddOrchestrator(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOrchestratorOptions(configuration);
        services.AddHostedService<StalledRunMonitor>();
        return services;
    }

    /// <summary>What the state machine itself needs (also used by tests that host only the saga).</summary>
    public static IServiceCollection AddOrchestratorOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OrchestratorOptions>().Bind(configuration.GetSection(OrchestratorOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }
}
