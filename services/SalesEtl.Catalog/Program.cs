using SalesEtl.Catalog;
using SalesEtl.Catalog.Faults;
using SalesEtl.Catalog.Products;
using SalesEtl.ServiceDefaults;
using SalesEtl.ServiceDefaults.Metrics;

var builder = WebApplication.CreateBuilder(args);
builder.AddEtlLogging("catalog");                            // console, compact JSON in containers, Seq when Seq:ServerUrl is set
builder.Services.AddProductCatalog(builder.Configuration);   // Catalog:ProductsFile, loaded once at start
builder.Services.AddFaultInjection(builder.Configuration);   // Catalog:Faults:* at start, /faults at run time
builder.Services.AddProblemDetails();
builder.Services.AddEtlMetrics();                           // /metrics: HTTP, process and runtime metrics

var app = builder.Build();
app.MapEtlMetrics();             // before the faults, so they show in the HTTP metrics
app.UseFaultInjection();         // on /products only
app.MapProductEndpoints();       // GET /products?page=&pageSize=
app.MapFaultEndpoints();         // GET, POST, DELETE /faults
app.MapCatalogHealthEndpoints(); // /health/live, /health/ready
await app.RunAsync();
