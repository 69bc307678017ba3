using System.Diagnostics;
using SalesEtl.TestSupport;

namespace SalesEtl.EndToEnd.Tests.Distributed;

/// <summary>
/// <c>deploy/local/up.sh</c> and <c>down.sh</c>, as a developer runs them (the README's distributed command): every
/// service started as a local process on the fixed local ports, both scripts idempotent, a run in between. The ports
/// and <c>.local/pids</c> are the machine's, so this runs alone with the other <c>Category=Disruptive</c> tests; its
/// database and virtual host are its own.
/// </summary>
[Trait("Category", "Disruptive")]
[Collection(DisruptiveCollection.Name)]
public sealed class Starting_and_stopping_the_local_topology(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    static readonly string Pids = Path.Combine(RepositoryLayout.Root, ".local", "pids");
    static readonly string[] Services = ["catalog", "orchestrator", "ingestor", "product-sync", "transformer-1", "metrics-loader"];

    TestDatabase database = null!;
    TestVirtualHost vhost = null!;
    Dictionary<string, string> environment = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync("up_down");
        vhost = await TestVirtualHost.CreateAsync("up_down");
        environment = new Dictionary<string, string>(vhost.EnvironmentVariables)
        {
            ["ConnectionStrings__Postgres"] = database.ConnectionString,
            ["ETL_SKIP_INFRA"] = "1",
            ["ETL_HEALTH_TIMEOUT"] = "180",
        };
    }

    public async Task DisposeAsync()
    {
        await RunAsync("deploy/local/down.sh"); // whatever happened above, leave no service running
        await vhost.DisposeAsync();
        await database.DisposeAsync();
    }

    [Fact]
    public async Task Should_start_every_service_once_run_a_file_and_stop_them_all_both_scripts_idempotent()
    {
        var first = await RunAsync("deploy/local/up.sh");
        Assert.True(first.ExitCode == 0, $"up.sh: {first}");
        Assert.Contains("[up] all services up", first.StandardOutput, StringComparison.Ordinal);
        var pids = ReadPids();
        Assert.Equal(Services.Order(), pids.Keys.Order());

        var second = await RunAsync("deploy/local/up.sh");
        Assert.True(second.ExitCode == 0, $"up.sh again: {second}");
        foreach (var service in Services)
            Assert.Contains($"[up] {service} already running (pid {pids[service]})", second.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(pids, ReadPids());

        var run = await RunAsync("./etl run samples/sales.csv --as-of 2026-11-25T00:00:00Z");
        Assert.True(run.ExitCode == 0, $"etl run: {run}");
        Assert.Contains("State      Succeeded (succeeded)", run.StandardOutput, StringComparison.Ordinal);

        var down = await RunAsync("deploy/local/down.sh");
        Assert.True(down.ExitCode == 0, $"down.sh: {down}");
        Assert.Contains("[down] services stopped", down.StandardOutput, StringComparison.Ordinal);
        Assert.Empty(ReadPids());
        Assert.All(pids.Values, pid => Assert.False(IsAlive(pid), $"pid {pid} still runs after down.sh"));

        var again = await RunAsync("deploy/local/down.sh");
        Assert.True(again.ExitCode == 0, $"down.sh again: {again}");
        Assert.Contains("[down] no services running", again.StandardOutput, StringComparison.Ordinal);
    }

    static Dictionary<string, int> ReadPids() =>
        Directory.Exists(Pids)
            ? Directory.GetFiles(Pids, "*.pid").ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => int.Parse(File.ReadAllText(f).Trim(), System.Globalization.CultureInfo.InvariantCulture))
            : [];

    static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    async Task<EtlResult> RunAsync(string commandLine)
    {
        var watch = Stopwatch.StartNew();
        var result = await RepositoryCommand.RunAsync(commandLine, environment);
        output.WriteLine($"{commandLine}: exit {result.ExitCode} after {watch.Elapsed.TotalSeconds:0.0} s");
        return result;
    }
}
