using System.Globalization;
using SalesEtl.Observability.Tests.Support;
using SalesEtl.TestSupport;

namespace SalesEtl.Observability.Tests;

[CollectionDefinition(Name)]
public sealed class ObservedSystemCollection : ICollectionFixture<ObservedSystem>
{
    public const string Name = "observed system";
}

/// <summary>
/// Every service as its own process (logging to a Seq stand-in), a real Prometheus scraping them and
/// RabbitMQ with the scrape configuration of deploy/prometheus, and what an operator would see after
/// a day's work: a run that succeeded, a run that failed (a file without its quantity column) and a
/// poison message in a dead letter queue. Shared by the tests of the collection.
/// </summary>
public sealed class ObservedSystem : IAsyncLifetime
{
    public static readonly DateTimeOffset AsOf = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Where each service of the local topology listens (deploy/local/up.sh), as written in deploy/prometheus/prometheus.yml.</summary>
    static readonly (string Target, string Process)[] LocalPorts =
    [
        ("localhost:5100", "orchestrator"), ("localhost:5101", "ingestor"), ("localhost:5102", "product-sync"),
        ("localhost:5104", "metrics-loader"), ("localhost:5105", "catalog"),
    ];

    /// <summary>The transformer replicas: prometheus.yml finds them in the file_sd file that up.sh writes.</summary>
    static readonly string[] Transformers = ["transformer-1", "transformer-2"];

    const string TransformersTargetsFile = "../../.local/prometheus/transformers.json";

    /// <summary>The processes of the topology (tests may start more, such as a service on a database of its own).</summary>
    public static IEnumerable<string> TopologyProcesses => LocalPorts.Select(p => p.Process).Concat(Transformers);

    public static readonly string[] ServiceJobs = ["orchestrator", "ingestor", "product-sync", "transformer", "metrics-loader", "catalog"];
    public static readonly string[] PipelineServices = ["orchestrator", "ingestor", "product-sync", "transformer", "metrics-loader"];

    public static string FixtureFile(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>RabbitMQ's prometheus plugin (host:port), next to the broker of the tests.</summary>
    public static string RabbitMqPrometheusTarget =>
        Environment.GetEnvironmentVariable("ETL_TEST_RABBITMQ_PROMETHEUS") ?? $"{TestInfrastructure.RabbitMq.Host}:15692";

    public SeqStub Seq { get; private set; } = null!;
    EtlSystem system = null!;

    public TestDatabase Database => system.Database;
    public TestVirtualHost VirtualHost => system.VirtualHost;
    public EtlTopology Topology => system.Topology;
    public PrometheusServer Prometheus { get; private set; } = null!;

    public Guid SucceededRunId { get; private set; }
    public Guid FailedRunId { get; private set; }

    /// <summary>The moment the dashboards are evaluated at: after both runs, once Prometheus has scraped their effects.</summary>
    public DateTimeOffset EvaluatedAt { get; private set; }

    public async Task InitializeAsync()
    {
        Seq = await SeqStub.StartAsync();
        system = await EtlSystem.StartAsync("obs", FixtureFile("products.json"), transformers: Transformers.Length,
            environment: new Dictionary<string, string>
            {
                ["Seq__ServerUrl"] = Seq.ServerUrl,
                // Every consumer's first attempt at a message fails with a transient error, so the retry metrics have data.
                ["FaultInjection__TransientFailuresPerMessage"] = "1",
            });

        Prometheus = await PrometheusServer.StartAsync(await ConfigForTopologyAsync(), new Dictionary<string, string>
        {
            ["alerts.yml"] = await File.ReadAllTextAsync(PrometheusRules.AlertsFile),
            ["transformers.json"] = await TransformerTargetsAsync(),
        });
        await Prometheus.WaitUntilAsync(async () =>
        {
            var targets = await Prometheus.TargetsAsync();
            return targets.Count == LocalPorts.Length + Transformers.Length + 2 && targets.All(t => t.Health == "up");
        }, TimeSpan.FromSeconds(30), "Prometheus did not scrape every target");

        // Readiness probes, as Kubernetes would send them: the services' HTTP metrics have traffic.
        using var probes = new CancellationTokenSource();
        var probing = ProbeAsync(probes.Token);

        SucceededRunId = await RunThroughATransientDatabaseFaultAsync();
        var missingColumn = Path.Combine(Path.GetTempPath(), $"sales-missing-quantity-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(missingColumn, "transaction_id,customer_id,product_id,sale_date,total_price,sales_channel\nT1,C1,P1,2026-01-01,10.00,web\n");
        FailedRunId = await RunAsync(missingColumn, expectedExitCode: 1);

        // A message nobody can read: MassTransit moves it to transform-chunk_error at once.
        await VirtualHost.PublishRawAsync("transform-chunk", "{ this is not json", "application/vnd.masstransit+json");

        var vhost = VirtualHost.Name;
        await Prometheus.WaitUntilAsync(async () =>
            (await Prometheus.QueryAsync("sum(etl_runs_total{outcome=\"succeeded\"})")).Any(s => s.Value >= 1)
            && (await Prometheus.QueryAsync("sum(etl_runs_total{outcome=\"failed\"})")).Any(s => s.Value >= 1)
            && (await Prometheus.QueryAsync($"sum(rabbitmq_detailed_queue_messages{{vhost=\"{vhost}\", queue=\"transform-chunk_error\"}})")).Any(s => s.Value >= 1)
            && (await Prometheus.QueryAsync("sum(etl_quality_expectations_total)")).Any(s => s.Value >= 1)
            && (await Prometheus.QueryAsync("sum(masstransit_messaging_masstransit_consume_retries{job=\"ingestor\"})")).Any(s => s.Value >= 1),
            TimeSpan.FromSeconds(30), "Prometheus did not see the runs and the dead letter");
        await Task.Delay(TimeSpan.FromSeconds(3));   // a few more scrapes after the last change
        EvaluatedAt = DateTimeOffset.UtcNow;

        await probes.CancelAsync();
        await probing;
    }

    /// <summary>
    /// Runs the fixture file while every consumer's first attempt at each message fails with an
    /// injected transient error (<c>FaultInjection:TransientFailuresPerMessage</c>): MassTransit
    /// retries, and the run succeeds, as after a database hiccup. The retry metrics then have data.
    /// </summary>
    Task<Guid> RunThroughATransientDatabaseFaultAsync() => RunAsync(FixtureFile("sales_1000.csv"), expectedExitCode: 0);

    async Task ExecuteAsync(string sql)
    {
        await using var command = Database.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    async Task<Guid> RunAsync(string file, int expectedExitCode)
    {
        var result = await Topology.RunEtlAsync("run", file, "--as-of", AsOf.ToString("O"), "--chunk-size", "100", "--timeout", "120");
        if (result.ExitCode != expectedExitCode || !Guid.TryParse(result.FirstLine, out var runId))
            throw new InvalidOperationException($"etl run {file}: expected exit {expectedExitCode}, {result}\n{Topology.Logs}");
        return runId;
    }

    async Task ProbeAsync(CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var process in Topology.Processes)
            {
                try
                {
                    using var response = await client.GetAsync(new Uri(process.BaseAddress, "/health/ready"), cancellationToken);
                }
                catch (HttpRequestException)
                {
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            try
            {
                await Task.Delay(500, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>deploy/prometheus/prometheus.yml with the ports of this topology's processes, scraping every second.</summary>
    async Task<string> ConfigForTopologyAsync()
    {
        var config = await File.ReadAllTextAsync(PrometheusRules.ConfigFile);
        foreach (var (target, name) in LocalPorts)
        {
            var process = Topology.Processes.Single(p => p.Name == name);
            config = ReplaceOnce(config, $"\"{target}\"", $"\"127.0.0.1:{process.BaseAddress.Port}\"");
        }
        config = ReplaceOnce(config, $"\"{TransformersTargetsFile}\"", "\"transformers.json\"");
        config = config.Replace("\"localhost:15692\"", $"\"{RabbitMqPrometheusTarget}\"", StringComparison.Ordinal)
            .Replace("scrape_interval: 15s", "scrape_interval: 1s", StringComparison.Ordinal)
            .Replace("evaluation_interval: 15s", "evaluation_interval: 1s", StringComparison.Ordinal);
        if (config.Contains("\"localhost:51", StringComparison.Ordinal) || config.Contains("15s", StringComparison.Ordinal))
            throw new InvalidOperationException($"deploy/prometheus/prometheus.yml has targets or intervals this test does not know:\n{config}");
        return config;
    }

    /// <summary>The file_sd file of this topology's transformers, written by the script up.sh uses (next to the configuration).</summary>
    async Task<string> TransformerTargetsAsync()
    {
        var file = Path.Combine(Path.GetTempPath(), $"sales-etl-transformers-{Guid.NewGuid():N}.json");
        var ports = Transformers.Select(name => Topology.Processes.Single(p => p.Name == name).BaseAddress.Port.ToString(CultureInfo.InvariantCulture));
        var result = await ToolRun.RunAsync("bash", [Path.Combine(RepositoryLayout.Root, "deploy", "local", "prometheus-targets.sh"), file, .. ports]);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"deploy/local/prometheus-targets.sh: {result}");
        var targets = await File.ReadAllTextAsync(file);
        File.Delete(file);
        return targets;
    }

    static string ReplaceOnce(string text, string from, string to)
    {
        var index = text.IndexOf(from, StringComparison.Ordinal);
        if (index < 0 || text.IndexOf(from, index + 1, StringComparison.Ordinal) >= 0)
            throw new InvalidOperationException($"deploy/prometheus/prometheus.yml should name {from} exactly once.");
        return string.Concat(text.AsSpan(0, index), to, text.AsSpan(index + from.Length));
    }

    public async Task DisposeAsync()
    {
        if (Prometheus is not null)
            await Prometheus.DisposeAsync();
        if (system is not null)
            await system.DisposeAsync();
        if (Seq is not null)
            await Seq.DisposeAsync();
    }

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
