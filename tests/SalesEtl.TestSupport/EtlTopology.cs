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

    /// <summary>The key the orchestrator's runs API accepts in a test topology (header <c>X-Api-Key</c>).</summary>
    public const string ApiKey = "test-topology-api-key-0001";

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
    /// <param name="environment">Extra settings for every service (e.g. <c>Orchestrator__StepTimeout</c>).</param>
    public static async Task<EtlTopology> StartAsync(TestDatabase database, TestVirtualHost vhost, string productsFile, int transformers = 2,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var dlls = await PublishAllAsync();

        var settings = new Dictionary<string, string>(vhost.EnvironmentVariables)
        {
            ["ConnectionStrings__Postgres"] = database.ConnectionString,
            ["Logging__JsonConsole"] = "false",
            ["Api__Keys__0"] = ApiKey,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            settings[key] = value;
        var topology = new EtlTopology(dlls, settings);
        try
        {
            var catalog = topology.StartService(Catalog, new Dictionary<string, string> { ["Catalog__ProductsFile"] = productsFile });
            await catalog.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), "/health/live");
            settings["ProductSync__DefaultProductsUrl"] = catalog.BaseAddress.ToString().TrimEnd('/');

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

    static string OutputRoot => Path.Combine(Path.GetTempPath(), "sales-etl-tests", RepositoryLayout.Configuration, System.Diagnostics.Process.GetCurrentProcess().Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// Publishes every program (once per test process) into <c>&lt;root&gt;/&lt;assembly&gt;/&lt;assembly&gt;.dll</c>, the layout
    /// <c>etl bench --services &lt;root&gt;</c> expects; returns the main dll of each by name (<c>etl</c> for the tool).
    /// </summary>
    public static async Task<Dictionary<string, string>> PublishAllAsync()
    {
        var dlls = new Dictionary<string, string>();
        foreach (var spec in All)
            dlls[spec.Name] = await PublishOnceAsync(spec, OutputRoot);
        return dlls;
    }

    /// <summary>The folder <see cref="PublishAllAsync"/> publishes into.</summary>
    public static string PublishedRoot => OutputRoot;

    static readonly SemaphoreSlim PublishLock = new(1, 1);

    static bool outputRootCleared;

    static async Task<string> PublishOnceAsync(ServiceSpec spec, string outputRoot)
    {
        await PublishLock.WaitAsync();
        try
        {
            // The folder is named by process id: one left by an earlier test process that had the same id holds that
            // run's build, which must not pass for this one's (services of another commit failed a whole suite).
            if (!outputRootCleared)
            {
                if (Directory.Exists(outputRoot))
                    Directory.Delete(outputRoot, recursive: true);
                outputRootCleared = true;
            }
            var dll = Path.Combine(outputRoot, spec.AssemblyName, spec.AssemblyName + ".dll");
            return File.Exists(dll) ? dll : await RepositoryLayout.PublishAsync(spec.ProjectFolder, spec.AssemblyName, outputRoot);
        }
        finally
        {
            PublishLock.Release();
        }
    }

    readonly Dictionary<string, ServiceSpec> specs = [];
    readonly Dictionary<string, Dictionary<string, string>> extraEnvironments = [];

    public ServiceProcess Process(string name) => processes.Last(p => p.Name == name);

    /// <summary>Kills a service with SIGKILL, as a crash would.</summary>
    public void Kill(string name) => Process(name).Kill();

    /// <summary>Starts a killed service again (a new process of the same spec and name) and waits until it is ready.</summary>
    public async Task<ServiceProcess> RestartAsync(string name)
    {
        var old = Process(name);
        old.Kill();
        var restarted = StartService(specs[name], name: name);
        await restarted.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
        return restarted;
    }

    public ServiceProcess StartService(ServiceSpec spec, IReadOnlyDictionary<string, string>? extraEnvironment = null, string? name = null)
    {
        specs[name ?? spec.Name] = spec;
        var environment = new Dictionary<string, string>(Environment);
        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string>())
            environment[key] = value;
        foreach (var (key, value) in extraEnvironments.GetValueOrDefault(name ?? spec.Name) ?? [])
            environment[key] = value;
        if (extraEnvironment is not null)
            extraEnvironments[name ?? spec.Name] = new Dictionary<string, string>(extraEnvironment);
        var process = ServiceProcess.Start(name ?? spec.Name, dlls[spec.Name], environment);
        processes.Add(process);
        return process;
    }

    /// <summary>Runs the <c>etl</c> tool with the topology's connection settings.</summary>
    public Task<EtlResult> RunEtlAsync(params string[] args) => RunEtlToolAsync(dlls[Cli.Name], Environment, args, TimeSpan.FromMinutes(10));

    public Task<EtlResult> RunEtlAsync(string[] args, TimeSpan timeout) => RunEtlToolAsync(dlls[Cli.Name], Environment, args, timeout);

    /// <summary>Runs the <c>etl</c> tool as a process with these settings, without starting any service.</summary>
    public static async Task<EtlResult> RunEtlAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        return await RunEtlToolAsync(await PublishOnceAsync(Cli, OutputRoot), environment, args, TimeSpan.FromMinutes(10));
    }

    static Task<EtlResult> RunEtlToolAsync(string dll, IReadOnlyDictionary<string, string> environment, string[] args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("dotnet");
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        return RepositoryCommand.RunToEndAsync(info, environment, timeout);
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
