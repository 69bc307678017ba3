using SalesEtl.Orchestrator;
using SalesEtl.Orchestrator.Api;
using SalesEtl.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("orchestrator");
builder.AddEtlBus(bus => bus.AddBatchRunSaga());

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapRunsApi();
await app.MigrateEtlDatabaseAsync();
await app.RunAsync();
