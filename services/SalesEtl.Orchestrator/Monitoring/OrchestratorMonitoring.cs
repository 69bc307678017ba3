using SalesEtl.Orchestrator.StateMachines;

namespace SalesEtl.Orchestrator.Monitoring;

public static class OrchestratorMonitoring
{
    /// <summary>Run metrics from the saga's transitions and the in-flight gauges. Call before the bus is added, so the observer is connected before the first message.</summary>
    public static IServiceCollection AddOrchestratorMonitoring(this IServiceCollection services)
    {
        OrchestratorMetrics.Initialize();
        services.AddSingleton<BatchRunMetricsObserver>();
        services.AddHostedService<ObserverConnection>();
        services.AddHostedService<RunStateSampler>();
        return services;
    }

    /// <summary>Connects the observer to the saga's state machine (a singleton registered by MassTransit) for the host's lifetime.</summary>
    sealed class ObserverConnection(BatchRunStateMachine machine, BatchRunMetricsObserver observer) : IHostedService, IDisposable
    {
        IDisposable? connection;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            connection = machine.ConnectStateObserver(observer);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose() => connection?.Dispose();
    }
}
