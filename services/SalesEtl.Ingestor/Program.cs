using MassTransit;
using SalesEtl.Ingestor;
using SalesEtl.Ingestor.Consumers;
using SalesEtl.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("ingestor");
builder.AddEtlBus(bus => bus.AddConsumer<IngestSalesConsumer, IngestSalesConsumerDefinition>());
builder.Services.AddIngestor(builder.Configuration);

var app = builder.Build();
app.MapDefaultEndpoints();
await app.MigrateEtlDatabaseAsync();
await app.RunAsync();
