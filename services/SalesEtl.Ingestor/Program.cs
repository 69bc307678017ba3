using MassTransit;
using SalesEtl.Ingestor;
using SalesEtl.Ingestor.Consumers;
using SalesEtl.Ingestor.Streaming;
using SalesEtl.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("ingestor");
builder.AddEtlBus(bus =>
{
    bus.AddConsumer<IngestSalesConsumer, IngestSalesConsumerDefinition>();
    bus.AddConsumer<SaleEventsConsumer, SaleEventsConsumerDefinition>();
});
builder.Services.AddIngestor(builder.Configuration);
builder.AddInputPathPolicy();
builder.Services.AddStreamIngestion(builder.Configuration);

var app = builder.Build();
app.MapDefaultEndpoints();
await app.MigrateEtlDatabaseAsync();
await app.RunAsync();
