using System.Globalization;
using System.Net.Http.Json;
using RabbitMQ.Client;
using SalesEtl.Streaming;
using SalesEtl.TestSupport;

namespace SalesEtl.Streaming.Tests;

[CollectionDefinition(Name)]
public sealed class StreamingCollection : ICollectionFixture<StreamingSystemFixture>
{
    public const string Name = "streaming system";
}

/// <summary>
/// Every service as its own process plus the stream simulator, on a database and virtual host of their own;
/// windows close at 10,000 events or 3 s; the inbox is a temporary folder. Tests of the collection run one after another.
/// </summary>
public sealed class StreamingSystemFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset AsOf = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
    public const int Seed = 4242;
    public const int WindowMaxEvents = 10_000;

    /// <summary>The share of events the simulator sends twice (same event id).</summary>
    public const double DuplicateRate = 0.02;
    public static readonly string[] FinalStates = ["Succeeded", "SucceededWithWarnings", "Failed", "Cancelled"];

    readonly string root = Path.Combine(Path.GetTempPath(), "sales-etl-streaming", Guid.NewGuid().ToString("N"));

    EtlSystem system = null!;
    IConnection? depthConnection;
    IChannel? depthChannel;

    public TestDatabase Database => system.Database;
    public TestVirtualHost VirtualHost => system.VirtualHost;
    public EtlTopology Topology => system.Topology;
    public ServiceProcess Simulator { get; private set; } = null!;
    public string InboxFolder => Path.Combine(root, "inbox");
    public string WorkFolder => Path.Combine(root, "work");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(InboxFolder);
        Directory.CreateDirectory(WorkFolder);
        var productsFile = Path.Combine(WorkFolder, "products.json");
        await File.WriteAllTextAsync(productsFile, new SaleEventPlan(PlanOptions(50_000)).ProductsJson());

        system = await EtlSystem.StartAsync("stream", productsFile, transformers: 2, new Dictionary<string, string>
        {
            ["Stream__AsOf"] = AsOf.ToString("O", CultureInfo.InvariantCulture),
            ["Stream__WindowMaxEvents"] = WindowMaxEvents.ToString(CultureInfo.InvariantCulture),
            ["Stream__WindowSeconds"] = "3",
            ["Stream__ChunkSize"] = "5000",
            ["Inbox__Folder"] = InboxFolder,
            ["Inbox__PollMs"] = "250",
            ["Inbox__SettleMs"] = "300",
            ["Inbox__ChunkSize"] = "2000",
        });

        var outputRoot = Path.Combine(Path.GetTempPath(), "sales-etl-tests", RepositoryLayout.Configuration, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var dll = await RepositoryLayout.PublishAsync("services/SalesEtl.StreamSimulator", "SalesEtl.StreamSimulator", outputRoot);
        var environment = new Dictionary<string, string>(Topology.Environment)
        {
            ["Simulator__AsOf"] = AsOf.ToString("O", CultureInfo.InvariantCulture),
            ["Simulator__LateRate"] = "0.03",
            ["Simulator__DuplicateRate"] = DuplicateRate.ToString(CultureInfo.InvariantCulture),
            ["Simulator__MaxDelaySeconds"] = "2",
        };
        Simulator = await ServiceProcess.StartReadyAsync("stream-simulator", dll, environment, TimeSpan.FromSeconds(90));
    }

    /// <summary>The plan the simulator follows for these settings (it gets the same from the fixture's environment).</summary>
    public static SaleEventPlanOptions PlanOptions(int events, double rate = 5000) => new()
    {
        Events = events, Seed = Seed, AsOf = AsOf, LateRate = 0.03, DuplicateRate = DuplicateRate, MaxDelayEvents = Math.Max(1, (int)(2 * rate)),
    };

    /// <summary>Each scenario starts from an empty stream (no buffered events, windows or claimed transaction ids).</summary>
    public async Task ResetStreamAsync()
    {
        await using var command = Database.DataSource.CreateCommand("TRUNCATE stream_events, stream_windows, stream_seen_transactions");
        await command.ExecuteNonQueryAsync();
    }

    public async Task StartStreamAsync(double rate, double seconds, int events)
    {
        using var response = await Simulator.Http.PostAsync(new Uri(string.Create(CultureInfo.InvariantCulture,
            $"/stream/start?rate={rate}&seconds={seconds}&events={events}&seed={Seed}"), UriKind.Relative), null);
        Assert.True(response.IsSuccessStatusCode, $"POST /stream/start: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<SimulatorStatus> SimulatorStatusAsync() =>
        (await Simulator.Http.GetFromJsonAsync<SimulatorStatus>(new Uri("/stream/status", UriKind.Relative)))!;

    /// <summary>
    /// Messages ready in a queue of the test's virtual host, as of now: an AMQP passive declare (the management API's
    /// figures are refreshed only every 5 s). Messages delivered but not yet acknowledged are not counted; the consumer's
    /// prefetch bounds those.
    /// </summary>
    public async Task<long> QueueDepthAsync(string queue)
    {
        if (depthChannel is null)
        {
            var options = VirtualHost.Options;
            var factory = new ConnectionFactory
            {
                HostName = options.Host, Port = options.Port, VirtualHost = options.VirtualHost,
                UserName = options.Username, Password = options.Password, ClientProvidedName = "streaming-test-queue-depth",
            };
            depthConnection = await factory.CreateConnectionAsync();
            depthChannel = await depthConnection.CreateChannelAsync();
        }
        return (await depthChannel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    /// <summary>Closed windows whose run has not reached a final state yet.</summary>
    public Task<long> WindowRunsInFlightAsync() => ScalarAsync<long>($"""
        SELECT count(*) FROM stream_windows w LEFT JOIN batch_runs r ON r.run_id = w.run_id
        WHERE r.current_state IS NULL OR r.current_state NOT IN ({string.Join(",", FinalStates.Select(s => $"'{s}'"))})
        """);

    /// <summary>Window runs that ended otherwise than succeeded (Failed or Cancelled), or have not ended.</summary>
    public Task<long> WindowRunsNotSucceededAsync() => ScalarAsync<long>("""
        SELECT count(*) FROM stream_windows w LEFT JOIN batch_runs r ON r.run_id = w.run_id
        WHERE r.current_state IS NULL OR r.current_state NOT IN ('Succeeded', 'SucceededWithWarnings')
        """);

    public async Task<T> ScalarAsync<T>(string sql) => await Database.ScalarAsync<T>(sql);

    public async Task DisposeAsync()
    {
        if (depthChannel is not null)
            await depthChannel.DisposeAsync();
        if (depthConnection is not null)
            await depthConnection.DisposeAsync();
        if (Simulator is not null)
            await Simulator.DisposeAsync();
        if (system is not null)
            await system.DisposeAsync();
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public string Logs => $"{Topology.Logs}\n===== stream-simulator\n{Simulator.Log}";
}

public sealed record SimulatorStatus(string State, double Rate, double Seconds, int? Seed, long Published, long Late, long Duplicates,
    double ElapsedSeconds, double AchievedRate, string? Error);
