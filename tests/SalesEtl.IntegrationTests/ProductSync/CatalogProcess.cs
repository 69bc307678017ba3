using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace SalesEtl.IntegrationTests.ProductSync;

/// <summary>The catalog stand-in as a real process on a free loopback port, serving one products file.</summary>
public sealed class CatalogProcess : IAsyncDisposable
{
    readonly Process process;
    readonly StringBuilder output;
    readonly HttpClient http;

    CatalogProcess(Process process, StringBuilder output, Uri baseUrl)
    {
        this.process = process;
        this.output = output;
        BaseUrl = baseUrl;
        http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseUrl { get; }

    /// <summary>What the process wrote so far (for failure messages).</summary>
    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    public static async Task<CatalogProcess> StartAsync(string productsFile, IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = FreeLoopbackPort();
        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // No appsettings.json of another service is picked up from here.
            WorkingDirectory = Path.GetDirectoryName(productsFile)!,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SalesEtl.Catalog.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseUrl.ToString().TrimEnd('/'));
        start.Environment["Catalog__ProductsFile"] = productsFile;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            start.Environment[key] = value;

        var output = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var catalog = new CatalogProcess(process, output, baseUrl);
        try
        {
            await catalog.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
            return catalog;
        }
        catch
        {
            await catalog.DisposeAsync();
            throw;
        }
    }

    async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"The catalog exited with code {process.ExitCode}:\n{Output}");
            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The catalog did not become ready within {timeout}:\n{Output}");
    }

    /// <summary>Replaces the faults in force (the catalog's <c>POST /faults</c>).</summary>
    public async Task SetFaultsAsync(object faults)
    {
        using var response = await http.PostAsJsonAsync(new Uri("/faults", UriKind.Relative), faults);
        response.EnsureSuccessStatusCode();
    }

    public async Task ClearFaultsAsync()
    {
        using var response = await http.DeleteAsync(new Uri("/faults", UriKind.Relative));
        response.EnsureSuccessStatusCode();
    }

    public async Task<JsonElement> GetFaultsAsync() =>
        await http.GetFromJsonAsync<JsonElement>(new Uri("/faults", UriKind.Relative));

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }

    static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
