using Microsoft.EntityFrameworkCore;
using SalesEtl.Data;
using SalesEtl.Data.Runs;
using SalesEtl.EndToEnd.Tests.Distributed;
using SalesEtl.SampleData;
using SalesEtl.EndToEnd.Tests.Reference;
using SalesEtl.TestSupport;

namespace SalesEtl.EndToEnd.Tests.Faults;

/// <summary>
/// The distributed system with a file large enough to be interrupted (20,000 rows in chunks of 500)
/// and its undisturbed result, computed by the independent reference. Every scenario must end with
/// the same exported tables.
/// </summary>
public abstract class FaultScenarioFixture : IAsyncLifetime
{
    public const int Rows = 20_000;
    public const int ChunkSize = 500;

    /// <summary>Short deadlines so that a stalled step is noticed within seconds.</summary>
    public static readonly IReadOnlyDictionary<string, string> FastStallDetection = new Dictionary<string, string>
    {
        ["Orchestrator__StepTimeout"] = "00:00:08",
        ["Orchestrator__StallScanInterval"] = "00:00:00.500",
        ["Orchestrator__MaxStallRedrives"] = "5",
    };

    readonly string folder = Path.Combine(Path.GetTempPath(), "sales-etl-faults", Guid.NewGuid().ToString("N"));

    EtlSystem system = null!;

    public TestDatabase Database => system.Database;
    public TestVirtualHost VirtualHost => system.VirtualHost;
    public EtlTopology Topology => system.Topology;
    public string SalesFile { get; private set; } = "";
    public string ExpectedExport { get; private set; } = "";

    protected virtual IReadOnlyDictionary<string, string> Environment => FastStallDetection;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(folder);
        var (sales, products) = new SalesDataGenerator(new SampleDataOptions { Rows = Rows, Seed = 4242 }).WriteTo(folder);
        SalesFile = sales;
        ExpectedExport = Path.Combine(folder, "expected");
        ReferenceEtl.WriteExport(ReferenceEtl.Run(sales, products, SalesDataGenerator.DefaultAsOf), ExpectedExport);

        system = await EtlSystem.StartAsync("faults", products, transformers: 2, Environment);
    }

    public async Task DisposeAsync()
    {
        if (system is not null)
            await system.DisposeAsync();
    }

    /// <summary>Starts <c>etl run</c> in the background; the task ends when the run does.</summary>
    public Task<EtlResult> StartRun() =>
        Topology.RunEtlAsync(["run", SalesFile, "--as-of", SalesDataGenerator.DefaultAsOf.ToString("O"), "--chunk-size", ChunkSize.ToString(System.Globalization.CultureInfo.InvariantCulture), "--timeout", "300"],
            TimeSpan.FromMinutes(6));

    /// <summary>Waits until the newest run satisfies a condition (e.g. some chunks staged) and returns it.</summary>
    public async Task<BatchRunState> WaitForRunAsync(DateTimeOffset submittedAfter, Func<BatchRunState, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(120));
        BatchRunState? run = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                await using var db = EtlDatabase.CreateContext(Database.DataSource);
                run = await db.BatchRuns.AsNoTracking().Where(r => r.SubmittedAt > submittedAfter).OrderByDescending(r => r.SubmittedAt).FirstOrDefaultAsync();
                if (run is not null && condition(run))
                    return run;
            }
            catch (Npgsql.NpgsqlException)
            {
                // PostgreSQL may be restarting in a scenario
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"Timed out waiting for {what}; the run is {run?.CurrentState ?? "not there"}.\n{Topology.Logs}");
    }

    /// <summary>The run finished successfully and its export equals the undisturbed result.</summary>
    public async Task AssertCompletedLikeAnUndisturbedRunAsync(Task<EtlResult> run)
    {
        var result = await run;
        Assert.True(result.ExitCode == 0, $"etl run: {result}\n{Topology.Logs}");
        var runId = Guid.Parse(result.FirstLine);
        var exportDir = Path.Combine(folder, runId.ToString());
        var export = await Topology.RunEtlAsync("export", runId.ToString(), "--out", exportDir);
        Assert.True(export.ExitCode == 0, $"etl export: {export}");
        ExportComparison.AssertSameTables(ExpectedExport, exportDir);
        Assert.Empty(await VirtualHost.NonEmptyErrorQueuesAsync());
    }
}
