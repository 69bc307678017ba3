using System.Net;
using System.Text.Json;
using SalesEtl.TestSupport;

namespace SalesEtl.Observability.Tests;

/// <summary>/health/ready means the broker and the database are reachable; /health/live only that the process answers.</summary>
[Collection(ObservedSystemCollection.Name)]
public sealed class Readiness(ObservedSystem system)
{
    [Fact]
    public async Task Should_report_each_dependency_and_turn_unready_when_the_broker_or_the_database_goes_away()
    {
        var database = await TestDatabase.CreateAsync("ready");
        var vhost = await TestVirtualHost.CreateAsync("ready");
        try
        {
            var environment = new Dictionary<string, string>(vhost.EnvironmentVariables) { ["ConnectionStrings__Postgres"] = database.ConnectionString };
            var ingestor = system.Topology.StartService(EtlTopology.Ingestor, environment, name: "ingestor-readiness");
            await ingestor.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
            using var http = new HttpClient { BaseAddress = ingestor.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

            var ready = await ReadyAsync(http);
            Assert.Equal((HttpStatusCode.OK, "Healthy"), (ready.Status, ready.Overall));
            Assert.Equal("Healthy", ready.Checks["postgresql"]);
            Assert.Equal("Healthy", ready.Checks["masstransit-bus"]);

            // The broker goes away (its virtual host is deleted, connections closed): unready, live.
            await vhost.DeleteAsync();
            // MassTransit reports the bus Degraded while it reconnects, Unhealthy once it gives up: both are unready.
            ready = await EventuallyAsync(http, r => r.Checks["masstransit-bus"] != "Healthy");
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "Healthy"), (ready.Status, ready.Checks["postgresql"]));
            Assert.NotEqual("Healthy", ready.Overall);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);

            // And the database too.
            await database.DisposeAsync();
            ready = await EventuallyAsync(http, r => r.Checks["postgresql"] == "Unhealthy");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
        }
        finally
        {
            await vhost.DisposeAsync();
            await database.DisposeAsync();
        }
    }

    sealed record ReadyReport(HttpStatusCode Status, string Overall, IReadOnlyDictionary<string, string> Checks);

    static async Task<ReadyReport> ReadyAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var checks = json.RootElement.GetProperty("checks").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetProperty("status").GetString()!);
        return new ReadyReport(response.StatusCode, json.RootElement.GetProperty("status").GetString()!, checks);
    }

    static async Task<ReadyReport> EventuallyAsync(HttpClient http, Func<ReadyReport, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        ReadyReport report;
        do
        {
            report = await ReadyAsync(http);
            if (condition(report))
                return report;
            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"/health/ready did not change as expected: {report.Status} {string.Join(", ", report.Checks.Select(c => $"{c.Key}={c.Value}"))}");
        return report;
    }
}
