using MassTransit;
using SalesEtl.ServiceDefaults;
using SalesEtl.Transformer;
using SalesEtl.Transformer.Consumers;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("transformer");
builder.AddEtlBus(bus => bus.AddConsumer<TransformChunkConsumer, TransformChunkConsumerDefinition>());
builder.Services.AddTransformer(builder.Configuration);

var app = builder.Build();
app.MapDefaultEndpoints();
await app.MigrateEtlDatabaseAsync();
await app.RunAsync();
