using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SalesEtl.TestSupport;

/// <summary>A published service running as its own OS process, its output kept in a log file for failure messages.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    readonly Process process;
    readonly StringBuilder log = new();
    readonly object logLock = new();

    public string Name { get; }
    public Uri BaseAddress { get; }
    public int ProcessId => process.Id;
    public bool HasExited => process.HasExited;

    /// <summary>A client of the service's own address (30 s timeout), disposed with it.</summary>
    public HttpClient Http { get; }

    ServiceProcess(string name, Uri baseAddress, Process process)
    {
        Name = name;
        BaseAddress = baseAddress;
        this.process = process;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <param name="workingDirectory">Its content root, the dll's folder unless given: a folder without another service's appsettings.json.</param>
    public static ServiceProcess Start(string name, string dllPath, IReadOnlyDictionary<string, string> environment, IEnumerable<string>? extraArgs = null,
        string? workingDirectory = null)
    {
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetDirectoryName(dllPath)!,
        };
        info.ArgumentList.Add(dllPath);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
        foreach (var arg in extraArgs ?? [])
            info.ArgumentList.Add(arg);
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        foreach (var (key, value) in environment)
            info.Environment[key] = value;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var service = new ServiceProcess(name, baseAddress, process);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>Starts the service and waits until <c>/health/ready</c> answers; kills it when it never does.</summary>
    public static async Task<ServiceProcess> StartReadyAsync(string name, string dllPath, IReadOnlyDictionary<string, string> environment, TimeSpan readyTimeout,
        string? workingDirectory = null)
    {
        var service = Start(name, dllPath, environment, workingDirectory: workingDirectory);
        try
        {
            await service.WaitUntilReadyAsync(readyTimeout);
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
        if (line is null)
            return;
        lock (logLock)
            log.AppendLine(line);
    }

    public string Log
    {
        get
        {
            lock (logLock)
                return log.ToString();
        }
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200; throws with the service's log otherwise.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout, string path = "/health/ready")
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{Name} exited with code {process.ExitCode} before it was ready.\n{Log}");
            try
            {
                using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
                // Only once the service says it listens on its address: until then another process (of another test
                // assembly) may hold the port and answer in its place; a clean-clone run took such an answer for the
                // ingestor's, whose bind then failed, and waited 300 s for a run nobody ingested.
                if (response.StatusCode == HttpStatusCode.OK && Log.Contains(BaseAddress.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal))
                    return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{Name} was not ready within {timeout.TotalSeconds:0} s.\n{Log}");
    }

    /// <summary>Ends the process at once (SIGKILL), as a crash would.</summary>
    public void Kill()
    {
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Kill();
        await process.WaitForExitAsync();
        process.Dispose();
    }

    static readonly HashSet<int> HandedOut = [];

    // A port the system had free a moment ago, and never one handed out before in this test process: topologies start
    // side by side, and a port released here could be handed to the next service before the first one bound it.
    static int FreePort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (HandedOut)
            {
                if (HandedOut.Add(port))
                    return port;
            }
        }
    }
}
