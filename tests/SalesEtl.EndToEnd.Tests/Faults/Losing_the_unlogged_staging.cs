using System.Net.Http.Json;

namespace SalesEtl.EndToEnd.Tests.Faults;

public sealed class LostStagingFixture : FaultScenarioFixture;

/// <summary>
/// staged_chunks is UNLOGGED (docs/PERFORMANCE.md): a PostgreSQL crash empties it. A run in flight must then fail
/// with a reason, not load a run with rows missing. The crash is played by emptying the table once every chunk is
/// staged and before any is transformed (the product API is held back so that transform has not started).
/// </summary>
public sealed class Losing_the_unlogged_staging(LostStagingFixture system) : IClassFixture<LostStagingFixture>
{
    [Fact]
    public async Task Should_fail_the_run_when_the_staged_chunks_are_gone()
    {
        using var catalog = new HttpClient { BaseAddress = system.Topology.Process("catalog").BaseAddress };
        using (var faults = await catalog.PostAsJsonAsync("/faults", new { latencyMs = 6000 }))
            faults.EnsureSuccessStatusCode();

        var started = DateTimeOffset.UtcNow;
        var run = system.StartRun();
        var staged = await system.WaitForRunAsync(started, r => r.TotalChunks is { } total && r.StagedChunks.Count == total && r.SnapshotId is null,
            "every chunk staged before the product snapshot");
        await using (var truncate = system.Database.DataSource.CreateCommand("TRUNCATE staged_chunks"))
            await truncate.ExecuteNonQueryAsync();
        using (var clear = await catalog.DeleteAsync(new Uri("/faults", UriKind.Relative)))
            clear.EnsureSuccessStatusCode();

        var result = await run;
        Assert.True(result.ExitCode == 1, $"etl run should fail: {result}\n{system.Topology.Logs}");
        var status = await system.Topology.RunEtlAsync("status", staged.CorrelationId.ToString());
        Assert.Contains("staging was lost", status.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0L, await system.Database.ScalarAsync<long>($"SELECT count(*) FROM fact_sales WHERE run_id = '{staged.CorrelationId}'"));
    }
}
