using System.Diagnostics;

namespace SalesEtl.TestSupport;

/// <summary>The result of one <c>etl</c> command.</summary>
public sealed record EtlResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string FirstLine => StandardOutput.Split('\n', 2)[0].Trim();

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
}

/// <summary>
/// The whole distributed system for a test: every service published and started as its own OS
/// process against the test's own database and virtual host, and the <c>etl</c> tool run as a process.
/// </summary>
public sealed class EtlTopology : IAsyncDisposable
{
    public sealed record ServiceSpec(string Name, string ProjectFolder, string AssemblyName);

    public static readonly ServiceSpec Catalog = new("catalog", "services/SalesEtl.Catalog", "SalesEtl.Catalog");
    public static readonly ServiceSpec Orchestrator = new("orchestrator", "services/SalesEtl.Orchestrator", "SalesEtl.Orchestrator");
    public static readonly ServiceSpec Ingestor = new("ingestor", "services/SalesEtl.Ingestor", "SalesEtl.Ingestor");
    public static readonly ServiceSpec ProductSync = new("product-sync", "services/SalesEtl.ProductSync", "SalesEtl.ProductSync");
    public static readonly ServiceSpec Transformer = new("transformer", "services/SalesEtl.Transformer", "SalesEtl.Transformer");
    public static readonly ServiceSpec MetricsLoader = new("metrics-loader", "services/SalesEtl.MetricsLoader", "SalesEtl.MetricsLoader");
    static readonly ServiceSpec Cli = new("etl", "services/SalesEtl.Cli", "etl");

    static readonly ServiceSpec[] All = [Catalog, Orchestrator, Ingestor, ProductSync, Transformer, MetricsLoader, Cli];

    readonly Dictionary<string, string> dlls;
    readonly List<ServiceProcess> processes = [];

    public IReadOnlyDictionary<string, string> Environment { get; }
    public IReadOnlyList<ServiceProcess> Processes => processes;
    public ServiceProcess CatalogProcess => processes.Single(p => p.Name == Catalog.Name);

    EtlTopology(Dictionary<string, string> dlls, Dictionary<string, string> environment)
    {
        this.dlls = dlls;
        Environment = environment;
    }

    /// <summary>Publishes every service once per output folder (re-used across test classes of one run).</summary>
    /// <param name="extraEnvironment">Settings for every service and the <c>etl</c> tool (e.g. <c>Seq__ServerUrl</c>).</param>
    public static async Task<EtlTopology> StartAsync(TestDatabase database, TestVirtualHost vhost, string productsFile, int transformers = 2,
        IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var outputRoot = Path.Combine(Path.GetTempPath(), "sales-etl-tests", RepositoryLayout.Configuration, Process.GetCurrentProcess().Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var dlls = new Dictionary<string, string>();
        foreach (var spec in All)
            dlls[spec.Name] = await PublishOnceAsync(spec, outputRoot);

        var environment = new Dictionary<string, string>(vhost.EnvironmentVariables)
        {
            ["ConnectionStrings__Postgres"] = database.ConnectionString,
            ["Logging__JsonConsole"] = "false",
        };
        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string>())
            environment[key] = value;
        var topology = new EtlTopology(dlls, environment);
        try
        {
            var catalog = topology.StartService(Catalog, new Dictionary<string, string> { ["Catalog__ProductsFile"] = productsFile });
            await catalog.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), "/health/live");
            environment["ProductSync__DefaultProductsUrl"] = catalog.BaseAddress.ToString().TrimEnd('/');

            // The orchestrator first, so that the schema is migrated once before the others race for it.
            await topology.StartService(Orchestrator).WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
            var others = new List<ServiceProcess> { topology.StartService(Ingestor), topology.StartService(ProductSync), topology.StartService(MetricsLoader) };
            for (var i = 1; i <= transformers; i++)
                others.Add(topology.StartService(Transformer, name: $"transformer-{i}"));
            await Task.WhenAll(others.Select(p => p.WaitUntilReadyAsync(TimeSpan.FromSeconds(90))));
        }
        catch
        {
            await topology.DisposeAsync();
            throw;
        }
        return topology;
    }

    static readonly SemaphoreSlim PublishLock = new(1, 1);

    static async Task<string> PublishOnceAsync(ServiceSpec spec, string outputRoot)
    {
        await PublishLock.WaitAsync();
        try
        {
            var dll = Path.Combine(outputRoot, spec.AssemblyName, spec.AssemblyName + ".dll");
            return File.Exists(dll) ? dll : await RepositoryLayout.PublishAsync(spec.ProjectFolder, spec.AssemblyName, outputRoot);
        }
        finally
        {
            PublishLock.Release();
        }
    }

    public ServiceProcess StartService(ServiceSpec spec, IReadOnlyDictionary<string, string>? extraEnvironment = null, string? name = null)
    {
        var environment = new Dictionary<string, string>(Environment);
        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string>())
            environment[key] = value;
        var process = ServiceProcess.Start(name ?? spec.Name, dlls[spec.Name], environment);
        processes.Add(process);
        return process;
    }

    /// <summary>Runs the <c>etl</c> tool with the topology's connection settings.</summary>
    public async Task<EtlResult> RunEtlAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryLayout.Root,
        };
        info.ArgumentList.Add(dlls[Cli.Name]);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var (key, value) in Environment)
            info.Environment[key] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        return new EtlResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Every service's log, for a failure message.</summary>
    public string Logs => string.Join("\n", processes.Select(p => $"===== {p.Name}\n{p.Log}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in processes)
            await process.DisposeAsync();
        processes.Clear();
    }
}
