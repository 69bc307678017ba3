using System.Net.Http.Json;
using SalesEtl.TestSupport;
using Xunit.Abstractions;

namespace SalesEtl.EndToEnd.Tests.Faults;

/// <summary>
/// The ingestor pauses 50 ms after each of the file's 40 chunks: staged at full speed, the file is in before a
/// scenario can see it part way (it waits for three chunks staged and the end not yet reached).
/// </summary>
public sealed class CrashScenarioFixture : FaultScenarioFixture
{
    protected override IReadOnlyDictionary<string, string> Environment { get; } =
        new Dictionary<string, string>(FastStallDetection) { ["FaultInjection__StagedChunkDelay"] = "00:00:00.050" };

    protected override int StartUpRuns => 2;
}

/// <summary>
/// kill -9 of each kind of worker in the middle of a run, a product API that misbehaves, and a lost
/// message: each run must end with the tables of an undisturbed run. The scenarios share one
/// topology and run one after the other (those of the files <c>Surviving_crashes_and_a_failing_product_api.*.cs</c>
/// too: two runs at once, a file of bad rows only, a cancel). Each writes its line of the fault table (<see cref="FaultTable"/>).
/// </summary>
public sealed partial class Surviving_crashes_and_a_failing_product_api(CrashScenarioFixture system, ITestOutputHelper output) : IClassFixture<CrashScenarioFixture>
{
    [Fact]
    public async Task Should_complete_when_a_transformer_is_killed_mid_run()
    {
        var started = DateTimeOffset.UtcNow;
        var run = system.StartRun();
        await system.WaitForRunAsync(started, r => r.TransformedChunks.Count >= 3, "three chunks transformed");
        var faultAt = DateTimeOffset.UtcNow;
        system.Topology.Kill("transformer-1");

        await system.AssertRecoveredAsync(run, "kill -9 of a transformer mid-run", faultAt, output);
        await system.Topology.RestartAsync("transformer-1");
    }

    [Fact]
    public async Task Should_complete_when_the_ingestor_is_killed_mid_file()
    {
        var started = DateTimeOffset.UtcNow;
        var run = system.StartRun();
        await system.WaitForRunAsync(started, r => r.StagedChunks.Count >= 3 && r.TotalChunks is null, "the ingestor to be part way through the file");
        var faultAt = DateTimeOffset.UtcNow;
        system.Topology.Kill("ingestor");
        await Task.Delay(500);
        await system.Topology.RestartAsync("ingestor");

        await system.AssertRecoveredAsync(run, "kill -9 of the ingestor mid-file", faultAt, output);
    }

    [Fact]
    public async Task Should_complete_when_the_orchestrator_is_killed_mid_run()
    {
        var started = DateTimeOffset.UtcNow;
        var run = system.StartRun();
        await system.WaitForRunAsync(started, r => r.StagedChunks.Count >= 3, "the run to be under way");
        var faultAt = DateTimeOffset.UtcNow;
        system.Topology.Kill("orchestrator");
        await Task.Delay(1000);
        await system.Topology.RestartAsync("orchestrator");

        await system.AssertRecoveredAsync(run, "kill -9 of the orchestrator mid-run", faultAt, output);
    }

    [Fact]
    public async Task Should_complete_when_the_product_api_fails_rate_limits_slows_down_and_truncates_a_page()
    {
        using var catalog = new HttpClient { BaseAddress = system.Topology.Process("catalog").BaseAddress };
        var productSync = system.Topology.Process("product-sync");
        var attemptsBefore = await ProductApiAttemptsAsync(productSync);
        // The faults come one after the other, each armed before the request it spoils can be made: a 429 first,
        // whose Retry-After (3 s) holds product-sync back while the 500s and the truncated page are armed.
        await SetFaultsAsync(catalog, new { failNext = 1, statusCode = 429, retryAfterSeconds = 3, latencyMs = 300 });
        var started = DateTimeOffset.UtcNow;
        var run = system.StartRun();
        await WaitUntilSpentAsync(catalog, "the 429 to be served");
        await SetFaultsAsync(catalog, new { failNext = 2, statusCode = 500, truncateNext = 1, latencyMs = 300 });

        await system.AssertRecoveredAsync(run, "product API: a 429 with Retry-After, two 500s, a truncated page, 300 ms latency", started, output);

        // Each fault was served: the catalog spent its counters and product-sync counted the failed attempts.
        var left = await catalog.GetFromJsonAsync<System.Text.Json.JsonElement>("/faults");
        Assert.Equal((0, 0), (left.GetProperty("failNext").GetInt32(), left.GetProperty("truncateNext").GetInt32()));
        var attempts = await ProductApiAttemptsAsync(productSync);
        Assert.Equal(1, attempts["rate_limited"] - attemptsBefore["rate_limited"]);
        Assert.Equal(2, attempts["server_error"] - attemptsBefore["server_error"]);
        using (await catalog.DeleteAsync(new Uri("/faults", UriKind.Relative)))
        {
        }
    }

    static async Task SetFaultsAsync(HttpClient catalog, object faults)
    {
        using var response = await catalog.PostAsJsonAsync("/faults", faults);
        response.EnsureSuccessStatusCode();
    }

    async Task WaitUntilSpentAsync(HttpClient catalog, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            var faults = await catalog.GetFromJsonAsync<System.Text.Json.JsonElement>("/faults");
            if (faults.GetProperty("failNext").GetInt32() == 0)
                return;
            await Task.Delay(20);
        }
        throw new TimeoutException($"Timed out waiting for {what}.\n{system.Topology.Logs}");
    }

    /// <summary>product-sync's HTTP attempts to the product API so far, by outcome (etl_product_api_requests_total).</summary>
    static async Task<Dictionary<string, double>> ProductApiAttemptsAsync(ServiceProcess productSync)
    {
        var metrics = await productSync.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        return System.Text.RegularExpressions.Regex.Matches(metrics, @"^etl_product_api_requests_total\{outcome=""(\w+)""\} (\S+)$", System.Text.RegularExpressions.RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Should_redrive_a_step_whose_command_was_lost_once_its_deadline_passes()
    {
        system.Topology.Kill("ingestor");
        var started = DateTimeOffset.UtcNow;
        var run = system.StartRun();
        await system.WaitForRunAsync(started, r => r.CurrentState == "Extracting", "the run to be submitted");
        await Task.Delay(1000); // the IngestSales command is in its queue now; lose it
        var faultAt = DateTimeOffset.UtcNow;
        await system.VirtualHost.PurgeQueueAsync("ingest-sales");
        await system.Topology.RestartAsync("ingestor");

        await system.AssertRecoveredAsync(run, "stalled step (IngestSales lost), timed out after 8 s", faultAt, output);
        Assert.Contains("reporting a stall", system.Topology.Process("orchestrator").Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_complete_after_poison_messages_are_dead_lettered_redriven_and_the_run_retried()
    {
        // Every chunk's transform fails permanently (a table the transformer needs is missing): no
        // retry, straight to transform-chunk_error, and the run fails at the transform step.
        await system.Database.ScalarAsync<int>("ALTER TABLE transformed_sales RENAME TO transformed_sales_hidden; SELECT 1");
        var started = DateTimeOffset.UtcNow;
        EtlResult failedRun;
        try
        {
            failedRun = await system.StartRun();
        }
        finally
        {
            await system.Database.ScalarAsync<int>("ALTER TABLE transformed_sales_hidden RENAME TO transformed_sales; SELECT 1");
        }
        Assert.True(failedRun.ExitCode == 1, $"etl run: {failedRun}");
        var runId = Guid.Parse(failedRun.FirstLine);
        var failed = await system.WaitForRunAsync(started, r => r.CurrentState == "Failed", "the run to fail");
        Assert.Equal("transform", failed.FailedStep);
        await WaitForDeadLettersAsync("transform-chunk_error");

        var listed = await system.Topology.RunEtlAsync("dlq", "list", "--queue", "transform-chunk");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Contains(runId.ToString(), listed.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("42P01", listed.StandardOutput, StringComparison.Ordinal);

        var redriven = await system.Topology.RunEtlAsync("dlq", "redrive", "--run", runId.ToString());
        Assert.True(redriven.ExitCode == 0, redriven.ToString());
        var retried = system.Topology.RunEtlAsync(["retry", runId.ToString(), "--timeout", "240"], TimeSpan.FromMinutes(5));

        await system.AssertRecoveredAsync(retried, "poison messages -> transform-chunk_error -> dlq redrive -> etl retry", started, output);
    }

    /// <summary>Waits until the chunks dispatched before the run failed have all been dead-lettered: the exact depth stays the same for 3 s.</summary>
    async Task WaitForDeadLettersAsync(string queue)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        long last = -1;
        var stableSince = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            var depth = (await system.VirtualHost.NonEmptyErrorQueuesAsync()).GetValueOrDefault(queue);
            if (depth != last)
            {
                last = depth;
                stableSince = DateTime.UtcNow;
            }
            else if (depth > 0 && DateTime.UtcNow - stableSince > TimeSpan.FromSeconds(3))
            {
                return;
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"The dead letters in {queue} did not settle (last depth {last}).");
    }
}
