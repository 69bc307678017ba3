using System.Net.Http.Json;
using System.Text.Json;
using SalesEtl.TestSupport;

namespace SalesEtl.IntegrationTests.ProductSync;

/// <summary>The catalog stand-in as a real process serving one products file, with its fault switches.</summary>
public sealed class CatalogProcess : IAsyncDisposable
{
    readonly ServiceProcess service;

    CatalogProcess(ServiceProcess service) => this.service = service;

    public Uri BaseUrl => service.BaseAddress;

    public string Output => service.Log;

    public static async Task<CatalogProcess> StartAsync(string productsFile, IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>(settings ?? new Dictionary<string, string>()) { ["Catalog__ProductsFile"] = productsFile };
        return new CatalogProcess(await ServiceProcess.StartReadyAsync("catalog", Path.Combine(AppContext.BaseDirectory, "SalesEtl.Catalog.dll"), environment,
            TimeSpan.FromSeconds(30), workingDirectory: Path.GetDirectoryName(productsFile)));
    }

    /// <summary>Replaces the faults in force (the catalog's <c>POST /faults</c>).</summary>
    public async Task SetFaultsAsync(object faults)
    {
        using var response = await service.Http.PostAsJsonAsync(new Uri("/faults", UriKind.Relative), faults);
        response.EnsureSuccessStatusCode();
    }

    public async Task ClearFaultsAsync()
    {
        using var response = await service.Http.DeleteAsync(new Uri("/faults", UriKind.Relative));
        response.EnsureSuccessStatusCode();
    }

    public async Task<JsonElement> GetFaultsAsync() =>
        await service.Http.GetFromJsonAsync<JsonElement>(new Uri("/faults", UriKind.Relative));

    public ValueTask DisposeAsync() => service.DisposeAsync();
}
