using SalesEtl.Orchestrator;
using SalesEtl.Orchestrator.Api;
using SalesEtl.Orchestrator.Monitoring;
using SalesEtl.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("orchestrator");
builder.Services.AddOrchestratorMonitoring();   // run metrics from the saga's transitions, runs in flight
builder.AddEtlBus(bus => bus.AddBatchRunSaga());

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapRunsApi();
await app.MigrateEtlDatabaseAsync();
await app.RunAsync();
