using SalesEtl.Orchestrator;
using SalesEtl.Orchestrator.Api;
using SalesEtl.Orchestrator.Monitoring;
using SalesEtl.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("orchestrator");
builder.Services.AddOrchestratorMonitoring();   // run metrics from the saga's transitions, runs in flight
builder.AddEtlBus(bus => bus.AddBatchRunSaga());
builder.Services.AddOrchestrator(builder.Configuration);
builder.AddInputPathPolicy();
builder.Services.AddApiKeyAuthentication(builder.Configuration, builder.Environment);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 64 * 1024);

var app = builder.Build();
app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseAuthorization();
app.MapRunsApi();
await app.MigrateEtlDatabaseAsync();
await app.RunAsync();
