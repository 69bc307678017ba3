using SalesEtl.TestSupport;

namespace SalesEtl.EndToEnd.Tests.Distributed;

/// <summary>
/// Every service as its own process (two transformers) on a database and virtual host of their own, shared by the tests of
/// one class; input files only from the fixtures folder and the temporary folder, as a deployment allows only /data/in.
/// </summary>
public sealed class DistributedSystemFixture() : DistributedSystem(transformers: 2, purpose: "e2e", InputRoots)
{
    public static readonly string[] AllowedRoots = [Path.GetDirectoryName(FixtureFile("products.json"))!, Path.GetTempPath()];

    static Dictionary<string, string> InputRoots =>
        AllowedRoots.Select((root, i) => (root, i)).ToDictionary(r => $"{InputRootKey}{r.i}", r => r.root);

    /// <summary>The settings' prefix: <c>Inputs__AllowedRoots__0</c>, <c>…__1</c>.</summary>
    public const string InputRootKey = "Inputs__AllowedRoots__";
}

/// <summary>Every service as its own process, with three transformer instances competing for the chunks.</summary>
public sealed class MessyFilesFixture() : DistributedSystem(transformers: 3, purpose: "e2e_messy");

/// <summary>Every service as its own process on a database and virtual host of their own.</summary>
public abstract class DistributedSystem(int transformers, string purpose, IReadOnlyDictionary<string, string>? environment = null) : IAsyncLifetime
{
    public int Transformers => transformers;

    public static readonly DateTimeOffset AsOf = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
    public static string FixtureFile(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    EtlSystem system = null!;

    public TestDatabase Database => system.Database;
    public TestVirtualHost VirtualHost => system.VirtualHost;
    public EtlTopology Topology => system.Topology;

    public async Task InitializeAsync() => system = await EtlSystem.StartAsync(purpose, FixtureFile("products.json"), transformers, environment);

    public async Task DisposeAsync()
    {
        if (system is not null)
            await system.DisposeAsync();
    }

    /// <summary>Runs <c>etl run</c> on a file and returns the run id; fails with every service's log when the run does not succeed.</summary>
    public async Task<Guid> RunAsync(string salesFile, int chunkSize, int expectedExitCode = 0)
    {
        var result = await Topology.RunEtlAsync("run", salesFile, "--as-of", AsOf.ToString("O"), "--chunk-size", chunkSize.ToString(System.Globalization.CultureInfo.InvariantCulture), "--timeout", "300");
        Assert.True(result.ExitCode == expectedExitCode, $"etl run: {result}\n{Topology.Logs}");
        Assert.True(Guid.TryParse(result.FirstLine, out var runId), $"The first line of etl run is not a run id: {result}");
        return runId;
    }

    public async Task<string> ExportAsync(Guid runId)
    {
        var outDir = Path.Combine(Path.GetTempPath(), "sales-etl-e2e", runId.ToString());
        var result = await Topology.RunEtlAsync("export", runId.ToString(), "--out", outDir);
        Assert.True(result.ExitCode == 0, $"etl export: {result}");
        return outDir;
    }
}
