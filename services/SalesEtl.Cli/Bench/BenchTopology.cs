using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Npgsql;
using SalesEtl.ServiceDefaults;

namespace SalesEtl.Cli.Bench;

/// <summary>A service of the system as the bench starts it: its name, project folder and assembly.</summary>
public sealed record BenchService(string Name, string Project)
{
    public static readonly BenchService Catalog = new("catalog", "SalesEtl.Catalog");
    public static readonly BenchService Orchestrator = new("orchestrator", "SalesEtl.Orchestrator");
    public static readonly BenchService Ingestor = new("ingestor", "SalesEtl.Ingestor");
    public static readonly BenchService ProductSync = new("product-sync", "SalesEtl.ProductSync");
    public static readonly BenchService Transformer = new("transformer", "SalesEtl.Transformer");
    public static readonly BenchService MetricsLoader = new("metrics-loader", "SalesEtl.MetricsLoader");

    public static IReadOnlyList<BenchService> All { get; } = [Catalog, Orchestrator, Ingestor, ProductSync, Transformer, MetricsLoader];
}

/// <summary>One running service process.</summary>
public sealed class BenchProcess(string name, Process process, int port, string logPath)
{
    public string Name => name;
    public int ProcessId => process.Id;
    public int Port => port;
    public string LogPath => logPath;
    public bool HasExited => process.HasExited;

    /// <summary>Peak resident set size since start or since <see cref="ResetPeak"/> (VmHWM), in bytes; null off Linux.</summary>
    public long? PeakRssBytes()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }

    /// <summary>User plus system CPU time the process has used since it started, in seconds; null once it has exited.</summary>
    public double? CpuSeconds()
    {
        try
        {
            process.Refresh();
            return process.TotalProcessorTime.TotalSeconds;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Resets VmHWM to the current RSS (Linux: <c>echo 5 &gt; /proc/pid/clear_refs</c>), so that each run has its own peak.</summary>
    public void ResetPeak()
    {
        try
        {
            File.WriteAllText($"/proc/{process.Id}/clear_refs", "5");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public async Task StopAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}

/// <summary>
/// The whole distributed system for one bench: a database and a RabbitMQ virtual host of its own, and every
/// service published in Release and started as its own OS process, as in production (minus containers).
/// </summary>
public sealed class BenchTopology : IAsyncDisposable
{
    readonly List<BenchProcess> processes = [];
    readonly Dictionary<string, string> environment;
    readonly string servicesRoot;
    readonly string logDirectory;
    readonly string adminConnectionString;
    readonly RabbitMqOptions rabbit;
    readonly Uri management;
    readonly bool keep;

    public string DatabaseName { get; }
    public string VirtualHost { get; }
    public string ConnectionString { get; }
    public IReadOnlyList<BenchProcess> Processes => processes;

    BenchTopology(string servicesRoot, string logDirectory, string adminConnectionString, RabbitMqOptions rabbit, Uri management, bool keep)
    {
        this.servicesRoot = servicesRoot;
        this.logDirectory = logDirectory;
        this.adminConnectionString = adminConnectionString;
        this.rabbit = rabbit;
        this.management = management;
        this.keep = keep;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        DatabaseName = $"etl_bench_{suffix}";
        VirtualHost = $"etl-bench-{suffix}";
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = DatabaseName, MaxPoolSize = 50 }.ConnectionString;
        environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = ConnectionString,
            ["RabbitMq__Host"] = rabbit.Host,
            ["RabbitMq__Port"] = rabbit.Port.ToString(CultureInfo.InvariantCulture),
            ["RabbitMq__VirtualHost"] = VirtualHost,
            ["RabbitMq__Username"] = rabbit.Username,
            ["RabbitMq__Password"] = rabbit.Password,
            ["Logging__JsonConsole"] = "false",
            // Local processes are local development: the localhost credentials are allowed there.
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            // A 10 M-row step takes minutes: the stall monitor must not take it for a dead service.
            ["Orchestrator__StepTimeout"] = "01:00:00",
        };
    }

    /// <summary>The settings every service gets; the bench's own connections use the same.</summary>
    public IReadOnlyDictionary<string, string> Environment => environment;

    public static async Task<BenchTopology> StartAsync(
        string servicesRoot, string logDirectory, string adminConnectionString, RabbitMqOptions rabbit, Uri management,
        string productsFile, int transformers, IReadOnlyDictionary<string, string> extraSettings, bool keep, TextWriter log, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(logDirectory);
        var topology = new BenchTopology(servicesRoot, logDirectory, adminConnectionString, rabbit, management, keep);
        foreach (var (key, value) in extraSettings)
            topology.environment[key] = value;
        try
        {
            await topology.CreateDatabaseAsync(cancellationToken);
            await topology.CreateVirtualHostAsync(cancellationToken);
            log.WriteLine($"bench: database {topology.DatabaseName}, virtual host {topology.VirtualHost}");

            var catalog = topology.Start(BenchService.Catalog, BenchService.Catalog.Name, new Dictionary<string, string> { ["Catalog__ProductsFile"] = productsFile });
            await topology.WaitHealthyAsync(catalog, "/health/live", cancellationToken);
            topology.environment["ProductSync__DefaultProductsUrl"] = $"http://127.0.0.1:{catalog.Port}";

            // The orchestrator first: it migrates the schema once before the others start.
            await topology.WaitHealthyAsync(topology.Start(BenchService.Orchestrator, BenchService.Orchestrator.Name), "/health/ready", cancellationToken);
            var others = new List<BenchProcess>
            {
                topology.Start(BenchService.Ingestor, BenchService.Ingestor.Name),
                topology.Start(BenchService.ProductSync, BenchService.ProductSync.Name),
                topology.Start(BenchService.MetricsLoader, BenchService.MetricsLoader.Name),
            };
            for (var i = 1; i <= transformers; i++)
                others.Add(topology.Start(BenchService.Transformer, $"transformer-{i}"));
            await Task.WhenAll(others.Select(p => topology.WaitHealthyAsync(p, "/health/ready", cancellationToken)));
        }
        catch
        {
            await topology.DisposeAsync();
            throw;
        }
        return topology;
    }

    BenchProcess Start(BenchService service, string name, IReadOnlyDictionary<string, string>? extra = null)
    {
        var dll = Path.Combine(servicesRoot, service.Project, service.Project + ".dll");
        if (!File.Exists(dll))
            throw new InvalidOperationException($"{dll} does not exist: the services are not published there.");
        var port = FreePort();
        var logPath = Path.Combine(logDirectory, name + ".log");
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var (key, value) in environment)
            info.Environment[key] = value;
        info.Environment["ETL_INSTANCE_NAME"] = name;
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
            info.Environment[key] = value;

        var process = new Process { StartInfo = info };
        var writer = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var sync = TextWriter.Synchronized(writer);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) sync.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) sync.WriteLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = new BenchProcess(name, process, port, logPath);
        processes.Add(started);
        return started;
    }

    async Task WaitHealthyAsync(BenchProcess process, string path, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{process.Port}"), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{process.Name} exited before it was ready; see {process.LogPath}.");
            try
            {
                using var response = await client.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            await Task.Delay(200, cancellationToken);
        }
        throw new TimeoutException($"{process.Name} was not ready within 120 s; see {process.LogPath}.");
    }

    async Task CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        await using var admin = new NpgsqlConnection(adminConnectionString);
        await admin.OpenAsync(cancellationToken);
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{DatabaseName}\"", admin);
        await create.ExecuteNonQueryAsync(cancellationToken);
    }

    HttpClient ManagementClient()
    {
        var client = new HttpClient { BaseAddress = management, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{rabbit.Username}:{rabbit.Password}")));
        return client;
    }

    async Task CreateVirtualHostAsync(CancellationToken cancellationToken)
    {
        // The broker is shared: another engineer's test may be restarting it; give it a minute.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await TryCreateVirtualHostAsync(cancellationToken);
                return;
            }
            catch (HttpRequestException) when (attempt < 30)
            {
                await Task.Delay(2000, cancellationToken);
            }
        }
    }

    async Task TryCreateVirtualHostAsync(CancellationToken cancellationToken)
    {
        using var client = ManagementClient();
        using (var response = await client.PutAsync(new Uri($"/api/vhosts/{Uri.EscapeDataString(VirtualHost)}", UriKind.Relative),
                   new StringContent("{}", Encoding.UTF8, "application/json"), cancellationToken))
            response.EnsureSuccessStatusCode();
        using (var response = await client.PutAsync(new Uri($"/api/permissions/{Uri.EscapeDataString(VirtualHost)}/{Uri.EscapeDataString(rabbit.Username)}", UriKind.Relative),
                   new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json"), cancellationToken))
            response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in processes)
            await process.StopAsync();
        processes.Clear();
        if (keep)
            return;
        try
        {
            using var client = ManagementClient();
            using var response = await client.DeleteAsync(new Uri($"/api/vhosts/{Uri.EscapeDataString(VirtualHost)}", UriKind.Relative));
        }
        catch (HttpRequestException)
        {
        }
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(adminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
