using MassTransit;
using SalesEtl.MetricsLoader;
using SalesEtl.MetricsLoader.Consumers;
using SalesEtl.MetricsLoader.Retention;
using SalesEtl.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("metrics-loader");
builder.AddEtlBus(bus =>
{
    bus.AddConsumer<LoadMetricsConsumer, LoadMetricsConsumerDefinition>();
    bus.AddConsumer<PurgeRunResultsConsumer, PurgeRunResultsConsumerDefinition>();
});
builder.Services.AddMetricsLoader(builder.Configuration);
builder.Services.AddIntermediateRowsRetention(builder.Configuration);

var app = builder.Build();
app.MapDefaultEndpoints();
await app.MigrateEtlDatabaseAsync();
await app.RunAsync();
