using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
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
    public static readonly string[] FinalStates = ["Succeeded", "SucceededWithWarnings", "Failed", "Cancelled"];

    readonly string root = Path.Combine(Path.GetTempPath(), "sales-etl-streaming", Guid.NewGuid().ToString("N"));

    EtlSystem system = null!;

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
            ["Simulator__DuplicateRate"] = "0.02",
            ["Simulator__MaxDelaySeconds"] = "2",
        };
        Simulator = await ServiceProcess.StartReadyAsync("stream-simulator", dll, environment, TimeSpan.FromSeconds(90));
    }

    /// <summary>The plan the simulator follows for these settings (it gets the same from the fixture's environment).</summary>
    public static SaleEventPlanOptions PlanOptions(int events, double rate = 5000) => new()
    {
        Events = events, Seed = Seed, AsOf = AsOf, LateRate = 0.03, DuplicateRate = 0.02, MaxDelayEvents = Math.Max(1, (int)(2 * rate)),
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

    /// <summary>Messages in a queue of the test's virtual host (ready and unacknowledged).</summary>
    public async Task<long> QueueDepthAsync(string queue)
    {
        var (user, password) = TestInfrastructure.RabbitMqCredentials;
        using var client = new HttpClient { BaseAddress = TestInfrastructure.RabbitMqManagement };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        using var response = await client.GetAsync(new Uri($"/api/queues/{Uri.EscapeDataString(VirtualHost.Name)}/{queue}", UriKind.Relative));
        if (!response.IsSuccessStatusCode)
            return 0;
        var queueInfo = await response.Content.ReadFromJsonAsync<QueueInfo>();
        return queueInfo?.Messages ?? 0;
    }

    public async Task<T> ScalarAsync<T>(string sql) => await Database.ScalarAsync<T>(sql);

    public async Task DisposeAsync()
    {
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

    sealed record QueueInfo(long Messages);
}

public sealed record SimulatorStatus(string State, double Rate, double Seconds, int? Seed, long Published, long Late, long Duplicates,
    double ElapsedSeconds, double AchievedRate, string? Error);
