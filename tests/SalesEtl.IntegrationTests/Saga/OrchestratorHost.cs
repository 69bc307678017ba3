using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SalesEtl.Contracts;
using SalesEtl.Data;
using SalesEtl.Orchestrator;
using SalesEtl.ServiceDefaults;
using SalesEtl.TestSupport;

namespace SalesEtl.IntegrationTests.Saga;

/// <summary>The orchestrator's saga on the real broker and database, plus consumers that record the commands it sends.</summary>
public sealed class OrchestratorHost : IAsyncDisposable
{
    readonly IHost host;

    public MessageRecorder Recorder { get; }
    public IBus Bus => host.Services.GetRequiredService<IBus>();

    OrchestratorHost(IHost host, MessageRecorder recorder)
    {
        this.host = host;
        Recorder = recorder;
    }

    public static async Task<OrchestratorHost> StartAsync(TestDatabase database, TestVirtualHost vhost)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(vhost.EnvironmentVariables.ToDictionary(kv => kv.Key.Replace("__", ":", StringComparison.Ordinal), kv => (string?)kv.Value));
        var recorder = new MessageRecorder();
        builder.Services.AddSingleton(recorder);
        builder.Services.AddEtlDatabase(database.ConnectionString);
        builder.Services.AddOrchestratorOptions(builder.Configuration);
        builder.Services.AddEtlBus(builder.Configuration, bus =>
        {
            bus.AddBatchRunSaga();
            bus.AddConsumer<RecordingConsumer<IngestSales>>();
            bus.AddConsumer<RecordingConsumer<SyncProducts>>();
            bus.AddConsumer<RecordingConsumer<TransformChunk>>();
            bus.AddConsumer<RecordingConsumer<LoadMetrics>>();
            bus.AddConsumer<RecordingConsumer<BatchRunCompleted>>();
            bus.AddConsumer<RecordingConsumer<BatchRunFailed>>();
        });
        var host = builder.Build();
        await host.StartAsync();
        return new OrchestratorHost(host, recorder);
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
