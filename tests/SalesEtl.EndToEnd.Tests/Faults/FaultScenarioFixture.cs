using Microsoft.EntityFrameworkCore;
using SalesEtl.Data;
using SalesEtl.Data.Runs;
using SalesEtl.EndToEnd.Tests.Distributed;
using SalesEtl.SampleData;
using SalesEtl.EndToEnd.Tests.Reference;
using SalesEtl.TestSupport;
using Xunit.Abstractions;

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

    /// <summary>The products the topology's catalog serves.</summary>
    public string ProductsFile { get; private set; } = "";

    /// <summary>The file's data rows, as the reference reads them.</summary>
    public long FileRows { get; private set; }

    /// <summary>How long an undisturbed run of the file took on this topology, when the fixture measures one (<see cref="StartUpRuns"/>).</summary>
    public double? UndisturbedSeconds { get; private set; }

    /// <summary>Where a scenario's own files go (removed with the fixture's folder).</summary>
    public string Folder => folder;

    protected virtual IReadOnlyDictionary<string, string> Environment => FastStallDetection;

    /// <summary>
    /// Runs of the file at start-up, each checked like a scenario's. The first warms the new processes up (JIT,
    /// connection pools, queues declared): on a loaded machine it takes several times a warm run, and the scenarios run
    /// warm, so their times are comparable with a warm run only. The second is timed as the fault table's undisturbed
    /// baseline (<see cref="UndisturbedSeconds"/>): set 2 only where the fixture's settings disturb nothing.
    /// </summary>
    protected virtual int StartUpRuns => 0;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(folder);
        var (sales, products) = new SalesDataGenerator(new SampleDataOptions { Rows = Rows, Seed = 4242 }).WriteTo(folder);
        SalesFile = sales;
        ExpectedExport = Path.Combine(folder, "expected");
        var expected = ReferenceEtl.Run(sales, products, SalesDataGenerator.DefaultAsOf);
        ReferenceEtl.WriteExport(expected, ExpectedExport);
        FileRows = expected.Quality.RowsRead;
        ProductsFile = products;

        system = await EtlSystem.StartAsync("faults", products, transformers: 2, Environment);
        for (var i = 0; i < StartUpRuns; i++)
        {
            var seconds = (await AssertCompletedLikeAnUndisturbedRunAsync(StartRun())).RunSeconds;
            if (i == 1)
                UndisturbedSeconds = seconds;
        }
    }

    public async Task DisposeAsync()
    {
        if (system is not null)
            await system.DisposeAsync();
    }

    /// <summary>Starts <c>etl run</c> in the background; the task ends when the run does.</summary>
    public Task<EtlResult> StartRun(string? salesFile = null) =>
        Topology.RunEtlAsync(["run", salesFile ?? SalesFile, "--as-of", SalesDataGenerator.DefaultAsOf.ToString("O"), "--chunk-size", ChunkSize.ToString(System.Globalization.CultureInfo.InvariantCulture), "--timeout", "300"],
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

    /// <summary>
    /// The run finished successfully, its export equals the undisturbed result (<paramref name="expectedExport"/>, the
    /// fixture's file by default) and it accounts for every row of the file; returns its final state.
    /// </summary>
    public async Task<FaultMeasurement> AssertCompletedLikeAnUndisturbedRunAsync(Task<EtlResult> run, string? expectedExport = null, long? fileRows = null)
    {
        var result = await run;
        Assert.True(result.ExitCode == 0, $"etl run: {result}\n{Topology.Logs}");
        var runId = Guid.Parse(result.FirstLine);
        var exportDir = Path.Combine(folder, runId.ToString());
        var export = await Topology.RunEtlAsync("export", runId.ToString(), "--out", exportDir);
        Assert.True(export.ExitCode == 0, $"etl export: {export}");
        ExportComparison.AssertSameTables(expectedExport ?? ExpectedExport, exportDir);
        Assert.Empty(await VirtualHost.NonEmptyErrorQueuesAsync());

        var measured = new FaultMeasurement("", await LoadRunAsync(runId), fileRows ?? FileRows, DateTimeOffset.MinValue, UndisturbedSeconds);
        Assert.Equal(measured.FileRows, measured.Run.RowsRead);
        Assert.Equal(0, measured.RowsLost);
        return measured;
    }

    /// <summary>
    /// <see cref="AssertCompletedLikeAnUndisturbedRunAsync"/>, then the scenario's line of the fault table: the time is
    /// counted from <paramref name="faultAt"/>.
    /// </summary>
    public async Task<FaultMeasurement> AssertRecoveredAsync(Task<EtlResult> run, string scenario, DateTimeOffset faultAt, ITestOutputHelper output)
    {
        var measured = await AssertCompletedLikeAnUndisturbedRunAsync(run) with { Scenario = scenario, FaultAt = faultAt };
        FaultTable.Record(output, measured);
        return measured;
    }

    public async Task<BatchRunState> LoadRunAsync(Guid runId)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var db = EtlDatabase.CreateContext(Database.DataSource);
                return await db.BatchRuns.AsNoTracking().SingleAsync(r => r.CorrelationId == runId);
            }
            catch (Exception exception) when (attempt < 5 && (exception is Npgsql.NpgsqlException || exception.InnerException is Npgsql.NpgsqlException))
            {
                // After a PostgreSQL restart the pool's idle connections are dead: the first use of each fails (57P01).
                await Task.Delay(500);
            }
        }
    }

    /// <summary>
    /// Starts a run and kills the ingestor once chunks are transformed while it still reads the file, so that the run
    /// is in flight for as long as a test needs (a cancel from the tool takes seconds to arrive on a loaded machine);
    /// <c>Topology.RestartAsync("ingestor")</c> lets it go on (it gets the ingest command again).
    /// </summary>
    public async Task<(Task<EtlResult> Run, BatchRunState InFlight)> StartRunAndStopItsIngestorMidFileAsync()
    {
        var started = DateTimeOffset.UtcNow;
        var run = StartRun();
        var inFlight = await WaitForRunAsync(started, r => r.TransformedChunks.Count >= 1 && r.TotalChunks is null,
            "chunks transformed while the ingestor is still reading the file");
        Topology.Kill("ingestor");
        return (run, inFlight);
    }

    /// <summary>
    /// Records of a run that are its inputs, not its results, and stay after a cancel: the run itself (which says it was
    /// cancelled), what the file's header looked like and the product snapshot it was to be priced with.
    /// </summary>
    static readonly string[] KeptAfterCancel = ["batch_runs", "run_ingest_info", "product_snapshots"];

    /// <summary>Rows for the run in every table with a <c>run_id</c> column but <see cref="KeptAfterCancel"/>, by table (the non-empty ones).</summary>
    public async Task<Dictionary<string, long>> RowsOfRunAsync(Guid runId)
    {
        var tables = new List<string>();
        await using (var command = Database.DataSource.CreateCommand(
                         "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'run_id' AND table_name NOT IN (SELECT table_name FROM information_schema.views) ORDER BY 1"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                tables.Add(reader.GetString(0));
        }
        Assert.Contains("staged_chunks", tables);
        var left = new Dictionary<string, long>();
        foreach (var table in tables.Except(KeptAfterCancel))
        {
            var count = await Database.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE run_id = '{runId}'");
            if (count > 0)
                left[table] = count;
        }
        return left;
    }

    /// <summary>Waits until no queue holds a message for longer than the management API's figures lag (5 s).</summary>
    public async Task WaitForQueuesToDrainAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        var emptySince = (DateTime?)null;
        while (DateTime.UtcNow < deadline)
        {
            if (await VirtualHost.QueuedMessagesAsync() > 0)
                emptySince = null;
            else if ((emptySince ??= DateTime.UtcNow) < DateTime.UtcNow.AddSeconds(-7))
                return;
            await Task.Delay(500);
        }
        throw new TimeoutException("The queues never drained after the cancel.");
    }
}
