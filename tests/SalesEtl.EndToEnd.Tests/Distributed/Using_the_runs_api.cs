using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SalesEtl.TestSupport;

namespace SalesEtl.EndToEnd.Tests.Distributed;

/// <summary>The orchestrator's runs API: authenticated, validating its input, revealing nothing of the server.</summary>
public sealed class Using_the_runs_api(DistributedSystemFixture system) : IClassFixture<DistributedSystemFixture>
{
    HttpClient Client(string? apiKey)
    {
        var client = new HttpClient { BaseAddress = system.Topology.Process("orchestrator").BaseAddress };
        if (apiKey is not null)
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-the-key-of-this-system")]
    public async Task Should_refuse_a_request_without_a_valid_api_key(string? apiKey)
    {
        using var client = Client(apiKey);
        using var list = await client.GetAsync(new Uri("/runs", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        using var start = await client.PostAsJsonAsync("/runs", new { sourcePath = DistributedSystemFixture.FixtureFile("sales_1000.csv") });
        Assert.Equal(HttpStatusCode.Unauthorized, start.StatusCode);
    }

    [Fact]
    public async Task Should_keep_health_and_metrics_open_for_probes_and_scrapers()
    {
        using var client = Client(null);
        using var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var metrics = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
    }

    public static TheoryData<string, string> UnreadablePaths => new()
    {
        { "relative/sales.csv", "is not absolute" },
        { Path.Combine(Path.GetTempPath(), "no-such-folder", "sales.csv"), "does not exist" },
        { "/etc/passwd", "is outside the allowed input folders" },
        { Path.Combine(Path.GetTempPath(), "..", "etc", "passwd"), "is outside the allowed input folders" },
    };

    [Theory]
    [MemberData(nameof(UnreadablePaths))]
    public async Task Should_refuse_a_source_path_it_cannot_read_with_a_clear_reason_and_no_internals(string path, string reason)
    {
        using var client = Client(EtlTopology.ApiKey);
        await AssertRefusedAsync(client, path, reason);
    }

    [Fact]
    public async Task Should_refuse_a_path_through_a_linked_folder_that_leads_outside_the_roots_and_start_no_run()
    {
        var links = Directory.CreateTempSubdirectory("sales-etl-links-");
        try
        {
            // Under an allowed root (the temporary folder), a folder that is a link to /etc.
            Directory.CreateSymbolicLink(Path.Combine(links.FullName, "etc"), "/etc");
            var path = Path.Combine(links.FullName, "etc", "passwd");
            using var client = Client(EtlTopology.ApiKey);
            var runsBefore = await RunCountAsync();

            await AssertRefusedAsync(client, path, "is outside the allowed input folders");

            // etl run checks the roots itself when they are set where it runs: no run starts.
            var local = await system.Topology.RunEtlAsync("run", path, "--timeout", "120");
            Assert.True(local.ExitCode == 64, $"etl run: {local}");
            Assert.Contains($"The source path '{path}' is outside the allowed input folders.", local.StandardError, StringComparison.Ordinal);
            Assert.Equal("", local.StandardOutput.Trim());

            // Where they are not set, the run starts and the ingestor refuses the file before reading a byte of it.
            var withoutRoots = system.Topology.Environment.Where(e => !e.Key.StartsWith(DistributedSystemFixture.InputRootKey, StringComparison.Ordinal))
                .ToDictionary();
            var remote = await EtlTopology.RunEtlAsync(withoutRoots, "run", path, "--timeout", "120");
            Assert.True(remote.ExitCode == 1, $"etl run: {remote}\n{system.Topology.Logs}");
            var runId = Guid.Parse(remote.FirstLine);
            var status = await system.Topology.RunEtlAsync("status", runId.ToString());
            Assert.Contains($"Failed at  ingest: The source path '{path}' is outside the allowed input folders.", status.StandardOutput, StringComparison.Ordinal);
            Assert.Equal(0L, await system.Database.ScalarAsync<long>($"SELECT count(*) FROM staged_chunks WHERE run_id = '{runId}'"));

            // That run is the only one: the refused request and the refused etl run started none (had either published
            // StartBatchRun, its run would be there by now, the orchestrator having taken the later one).
            Assert.Equal(runsBefore + 1, await RunCountAsync());
        }
        finally
        {
            links.Delete(recursive: true);
        }
    }

    static async Task AssertRefusedAsync(HttpClient client, string path, string reason)
    {
        using var response = await client.PostAsJsonAsync("/runs", new { sourcePath = path });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode} {body}");
        Assert.Contains($"{path}' {reason}", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Host=", body, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
    }

    Task<long> RunCountAsync() => system.Database.ScalarAsync<long>("SELECT count(*) FROM batch_runs");

    [Fact]
    public async Task Should_refuse_a_request_body_over_the_size_limit()
    {
        using var client = Client(EtlTopology.ApiKey);
        using var response = await client.PostAsJsonAsync("/runs", new { sourcePath = new string('a', 100_000) });
        Assert.True(response.StatusCode is HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.BadRequest, $"status {response.StatusCode}");
    }

    [Fact]
    public async Task Should_start_a_run_that_can_then_be_followed_to_success()
    {
        using var client = Client(EtlTopology.ApiKey);
        using var response = await client.PostAsJsonAsync("/runs", new
        {
            sourcePath = DistributedSystemFixture.FixtureFile("sales_1000.csv"),
            asOf = DistributedSystemFixture.AsOf,
            chunkSize = 200,
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();

        var deadline = DateTime.UtcNow.AddSeconds(120);
        string? state = null;
        while (DateTime.UtcNow < deadline && state is not ("Succeeded" or "SucceededWithWarnings" or "Failed"))
        {
            await Task.Delay(250);
            using var run = await client.GetAsync(new Uri($"/runs/{runId}", UriKind.Relative));
            if (run.StatusCode == HttpStatusCode.OK)
                state = (await run.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString();
        }
        Assert.Equal("Succeeded", state);
    }
}
