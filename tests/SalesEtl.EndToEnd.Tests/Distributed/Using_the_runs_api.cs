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

    [Theory]
    [InlineData("relative/sales.csv", "is not absolute")]
    [InlineData("/no/such/folder/sales.csv", "does not exist")]
    public async Task Should_refuse_a_source_path_it_cannot_read_with_a_clear_reason_and_no_internals(string path, string reason)
    {
        using var client = Client(EtlTopology.ApiKey);
        using var response = await client.PostAsJsonAsync("/runs", new { sourcePath = path });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains(reason, body, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Host=", body, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
    }

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
