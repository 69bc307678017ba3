using SalesEtl.ServiceDefaults;
using SalesEtl.StreamSimulator;

var builder = WebApplication.CreateBuilder(args);
// `SalesEtl.StreamSimulator --rate 2000 --seconds 60` starts a stream at once.
builder.Configuration.AddCommandLine(args, new Dictionary<string, string>
{
    ["--rate"] = "Simulator:Rate",
    ["--seconds"] = "Simulator:Seconds",
    ["--events"] = "Simulator:Events",
    ["--seed"] = "Simulator:Seed",
    ["--auto-start"] = "Simulator:AutoStart",
});
if (args.Any(a => a is "--rate" or "--seconds" or "--events"))
    builder.Configuration["Simulator:AutoStart"] ??= "true";

builder.AddServiceDefaults("stream-simulator");
builder.AddEtlBus(bus => bus.AddConsumer<StartSaleStreamConsumer>());
builder.Services.AddOptions<SimulatorOptions>().Bind(builder.Configuration.GetSection(SimulatorOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<SaleStreamRunner>();
builder.Services.AddHostedService<AutoStartService>();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapPost("/stream/start", (SaleStreamRunner runner, double? rate, double? seconds, int? events, int? seed) =>
    runner.Start(rate, seconds, events, seed) ? Results.Accepted("/stream/status", runner.Status) : Results.Conflict(runner.Status));
app.MapPost("/stream/stop", (SaleStreamRunner runner) =>
{
    runner.Stop();
    return Results.Ok(runner.Status);
});
app.MapGet("/stream/status", (SaleStreamRunner runner) => Results.Ok(runner.Status));
await app.RunAsync();
