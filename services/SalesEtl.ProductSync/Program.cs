using MassTransit;
using SalesEtl.ProductSync;
using SalesEtl.ProductSync.Consumers;
using SalesEtl.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("product-sync");
builder.AddEtlBus(bus => bus.AddConsumer<SyncProductsConsumer, SyncProductsConsumerDefinition>());
builder.Services.AddProductSync(builder.Configuration);   // options, resilient catalog client, snapshot store
var app = builder.Build();
app.MapDefaultEndpoints();
await app.MigrateEtlDatabaseAsync();
await app.RunAsync();
