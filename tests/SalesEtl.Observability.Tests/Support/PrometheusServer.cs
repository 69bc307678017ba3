using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace SalesEtl.Observability.Tests.Support;

/// <summary>One series of an instant query: its labels and value (NaN when the expression gives none).</summary>
public sealed record PromSample(IReadOnlyDictionary<string, string> Labels, double Value)
{
    public override string ToString() => "{" + string.Join(", ", Labels.Select(l => $"{l.Key}=\"{l.Value}\"")) + "} " + Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A real Prometheus (Debian's binary) on a free port with a temporary storage folder, and its HTTP API.</summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    readonly Process process;
    readonly StringBuilder log = new();
    readonly string directory;

    public Uri BaseAddress { get; }
    public HttpClient Http { get; }
    public string ConfigFile { get; }

    PrometheusServer(Process process, string directory, Uri baseAddress, string configFile)
    {
        this.process = process;
        this.directory = directory;
        BaseAddress = baseAddress;
        ConfigFile = configFile;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Log
    {
        get
        {
            lock (log)
                return log.ToString();
        }
    }

    /// <summary>Starts Prometheus with <paramref name="configYaml"/>; <paramref name="files"/> are written next to it (rule files).</summary>
    public static async Task<PrometheusServer> StartAsync(string configYaml, IReadOnlyDictionary<string, string> files)
    {
        var binary = RequiredTool.Require("prometheus");
        var directory = Path.Combine(Path.GetTempPath(), "sales-etl-prometheus", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(directory, "data"));
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, configYaml);
        foreach (var (name, content) in files)
            await File.WriteAllTextAsync(Path.Combine(directory, name), content);

        var port = FreePort();
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var arg in new[]
                 {
                     $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}",
                     $"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=1h", "--log.level=warn",
                 })
            info.ArgumentList.Add(arg);
        var process = new Process { StartInfo = info };
        var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}"), config);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilAsync(async () =>
            {
                using var response = await server.Http.GetAsync(new Uri("/-/ready", UriKind.Relative));
                return response.StatusCode == HttpStatusCode.OK;
            }, TimeSpan.FromSeconds(30), "Prometheus did not become ready");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    void Append(string? line)
    {
        if (line is null)
            return;
        lock (log)
            log.AppendLine(line);
    }

    /// <summary>Health of every active scrape target, keyed by job and instance.</summary>
    public async Task<IReadOnlyList<(string Job, string Instance, string Health, string LastError)>> TargetsAsync()
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync(new Uri("/api/v1/targets?state=active", UriKind.Relative)));
        return document.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
            .Select(t => (t.GetProperty("labels").GetProperty("job").GetString()!, t.GetProperty("labels").GetProperty("instance").GetString()!,
                t.GetProperty("health").GetString()!, t.GetProperty("lastError").GetString() ?? ""))
            .ToList();
    }

    /// <summary>An instant query at <paramref name="time"/> (now when null); throws with Prometheus's error for an invalid expression.</summary>
    public async Task<IReadOnlyList<PromSample>> QueryAsync(string expression, DateTimeOffset? time = null)
    {
        var form = new Dictionary<string, string> { ["query"] = expression };
        if (time is { } at)
            form["time"] = (at.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
        using var response = await Http.PostAsync(new Uri("/api/v1/query", UriKind.Relative), new FormUrlEncodedContent(form));
        var body = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.GetProperty("status").GetString() != "success")
            throw new InvalidOperationException($"Prometheus rejected {expression}: {body}");
        var data = root.GetProperty("data");
        var type = data.GetProperty("resultType").GetString();
        if (type == "scalar")
            return [new PromSample(new Dictionary<string, string>(), ParseValue(data.GetProperty("result")))];
        if (type != "vector")
            throw new InvalidOperationException($"Unexpected result type {type} for {expression}");
        return data.GetProperty("result").EnumerateArray()
            .Select(series => new PromSample(
                series.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                ParseValue(series.GetProperty("value"))))
            .ToList();
    }

    /// <summary>Alerts as Prometheus evaluates them now: name, state (pending or firing) and labels.</summary>
    public async Task<IReadOnlyList<(string Name, string State, IReadOnlyDictionary<string, string> Labels)>> AlertsAsync()
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync(new Uri("/api/v1/alerts", UriKind.Relative)));
        return document.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray()
            .Select(a =>
            {
                var labels = a.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
                return (labels["alertname"], a.GetProperty("state").GetString()!, (IReadOnlyDictionary<string, string>)labels);
            })
            .ToList();
    }

    static double ParseValue(JsonElement pair) =>
        double.Parse(pair[1].GetString()!.Replace("+Inf", "Infinity", StringComparison.Ordinal).Replace("-Inf", "-Infinity", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"Prometheus exited with code {process.ExitCode}:\n{Log}");
            try
            {
                if (await condition())
                    return;
            }
            catch (HttpRequestException exception)
            {
                last = exception;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{failure} within {timeout.TotalSeconds:0} s ({last?.Message}).\n{Log}");
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
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
