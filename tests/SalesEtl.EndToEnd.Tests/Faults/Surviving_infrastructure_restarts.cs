using System.Diagnostics;

namespace SalesEtl.EndToEnd.Tests.Faults;

/// <summary>
/// The ingestor pauses 100 ms after each of the 40 chunks: on an idle machine a whole run (1.6 s) was over before
/// <c>rabbitmqctl stop_app</c> had stopped anything.
/// </summary>
public sealed class InfrastructureRestartFixture : FaultScenarioFixture
{
    protected override IReadOnlyDictionary<string, string> Environment { get; } =
        new Dictionary<string, string>(FastStallDetection) { ["FaultInjection__StagedChunkDelay"] = "00:00:00.100" };

    protected override int StartUpRuns => 2;
}

/// <summary>
/// RabbitMQ and PostgreSQL restarted in the middle of a run. These restart the machine's shared
/// servers, so they are kept out of the parallel test run (<c>Category=Disruptive</c>) and run on
/// their own afterwards by <c>deploy/local/test.sh</c>.
/// </summary>
[Trait("Category", "Disruptive")]
[Collection(DisruptiveCollection.Name)]
public sealed class Surviving_infrastructure_restarts(InfrastructureRestartFixture system, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<InfrastructureRestartFixture>
{
    [Fact]
    public async Task Should_complete_when_rabbitmq_restarts_mid_run()
    {
        var started = DateTimeOffset.UtcNow;
        var run = system.StartRun();
        await system.WaitForRunAsync(started, r => r.StagedChunks.Count >= 3, "the run to be under way");
        var faultAt = DateTimeOffset.UtcNow;
        await ShellAsync("rabbitmqctl", "stop_app");
        var stoppedAt = DateTimeOffset.UtcNow;
        await Task.Delay(2000);
        await ShellAsync("rabbitmqctl", "start_app");

        var measured = await system.AssertRecoveredAsync(run, "RabbitMQ stopped for 2 s mid-run", faultAt, output);
        Assert.True(measured.Run.CompletedAt > stoppedAt, $"The run was over ({measured.Run.CompletedAt:O}) before RabbitMQ had stopped ({stoppedAt:O}): nothing was tested.");
    }

    [Fact]
    public async Task Should_complete_when_postgresql_restarts_mid_run()
    {
        var started = DateTimeOffset.UtcNow;
        var run = system.StartRun();
        await system.WaitForRunAsync(started, r => r.StagedChunks.Count >= 3, "the run to be under way");
        var version = Directory.GetDirectories("/usr/lib/postgresql").Select(Path.GetFileName).OrderByDescending(v => int.Parse(v!, System.Globalization.CultureInfo.InvariantCulture)).First();
        var faultAt = DateTimeOffset.UtcNow;
        await ShellAsync("pg_ctlcluster", $"{version} main restart -m fast");
        var restartedAt = DateTimeOffset.UtcNow;

        var measured = await system.AssertRecoveredAsync(run, "PostgreSQL restarted (-m fast) mid-run", faultAt, output);
        Assert.True(measured.Run.CompletedAt > restartedAt, $"The run was over ({measured.Run.CompletedAt:O}) before PostgreSQL had restarted ({restartedAt:O}): nothing was tested.");
    }

    static async Task ShellAsync(string command, string arguments)
    {
        var info = new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["PATH"] = $"/usr/sbin:/sbin:{Environment.GetEnvironmentVariable("PATH")}";
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{command} {arguments} failed: {output}");
    }
}
