using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SalesEtl.IntegrationTests.ProductSync;

/// <summary>
/// A service of this repository as a real process (<c>dotnet &lt;Service&gt;.dll --urls …</c>) on a free
/// loopback port, configured by environment variables only, killed at the end.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    readonly Process process;
    readonly StringBuilder output = new();

    ServiceProcess(Process process, Uri baseUrl)
    {
        this.process = process;
        BaseUrl = baseUrl;
        Http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseUrl { get; }

    public HttpClient Http { get; }

    /// <summary>What the process wrote so far (for failure messages).</summary>
    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    /// <param name="assemblyName">A service the test project references, so that its output sits beside the tests.</param>
    /// <param name="workingDirectory">Its content root: a folder without another service's appsettings.json.</param>
    public static async Task<ServiceProcess> StartAsync(string assemblyName, IReadOnlyDictionary<string, string> environment, string workingDirectory, TimeSpan? readyTimeout = null)
    {
        var baseUrl = new Uri($"http://127.0.0.1:{FreeLoopbackPort()}");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseUrl.ToString().TrimEnd('/'));
        foreach (var (key, value) in environment)
            start.Environment[key] = value;

        var service = new ServiceProcess(new Process { StartInfo = start }, baseUrl);
        service.process.OutputDataReceived += (_, e) => service.Append(e.Data);
        service.process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        service.process.Start();
        service.process.BeginOutputReadLine();
        service.process.BeginErrorReadLine();
        try
        {
            await service.WaitUntilReadyAsync(readyTimeout ?? TimeSpan.FromSeconds(60));
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    void Append(string? line)
    {
        lock (output) output.AppendLine(line);
    }

    async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{process.StartInfo.ArgumentList[0]} exited with code {process.ExitCode}:\n{Output}");
            try
            {
                using var response = await Http.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{process.StartInfo.ArgumentList[0]} was not ready within {timeout}:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
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
