using System.Text.RegularExpressions;
using SalesEtl.Observability.Tests.Support;

namespace SalesEtl.Observability.Tests;

/// <summary>Every panel of every dashboard shows real data: its PromQL through Prometheus's API, its SQL against the run's database.</summary>
[Collection(ObservedSystemCollection.Name)]
public sealed class Dashboards_on_real_data(ObservedSystem system, Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Grafana's variables as an operator would pick them: every service, this test's virtual host, the succeeded run.</summary>
    IReadOnlyDictionary<string, string> Variables => new Dictionary<string, string>
    {
        ["job"] = ".+",
        ["vhost"] = Regex.Escape(system.VirtualHost.Name),
        ["run"] = system.SucceededRunId.ToString(),
    };

    [Fact]
    public void Should_have_the_three_dashboards_with_fixed_datasource_uids()
    {
        var titles = GrafanaDashboards.Queries().Select(q => q.Dashboard).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["SalesEtl — RabbitMQ", "SalesEtl — batch runs & data quality", "SalesEtl — services"], titles);
        Assert.All(GrafanaDashboards.Queries(), q => Assert.Contains(q.DatasourceUid, new[] { GrafanaDashboards.PrometheusUid, GrafanaDashboards.PostgresUid }));
    }

    [Fact]
    public async Task Every_PromQL_expression_of_every_panel_should_return_a_series_with_a_value()
    {
        var queries = GrafanaDashboards.Queries().Where(q => q.DatasourceUid == GrafanaDashboards.PrometheusUid).ToList();
        Assert.True(queries.Count >= 40, $"only {queries.Count} PromQL queries found");
        var failures = new List<string>();
        foreach (var query in queries)
        {
            var expression = GrafanaDashboards.PromQl(query.Text, Variables, rateInterval: "2m", range: "10m");
            try
            {
                var samples = await system.Prometheus.QueryAsync(expression, system.EvaluatedAt);
                if (samples.Count == 0)
                    failures.Add($"no series: {query}\n    sent: {expression}");
                else if (!samples.Any(s => double.IsFinite(s.Value)))
                    failures.Add($"no finite value ({string.Join("; ", samples.Take(3))}): {query}\n    sent: {expression}");
                else
                    output.WriteLine($"{samples.Count,4} series  {query.Dashboard} / {query.Panel} / {query.RefId}");
            }
            catch (InvalidOperationException exception)
            {
                failures.Add($"{exception.Message}: {query}");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {queries.Count} PromQL queries show no data:\n" + string.Join("\n", failures));
    }

    [Fact]
    public async Task Every_SQL_query_of_every_panel_should_return_rows()
    {
        var queries = GrafanaDashboards.Queries().Where(q => q.DatasourceUid == GrafanaDashboards.PostgresUid).ToList();
        Assert.True(queries.Count >= 12, $"only {queries.Count} SQL queries found");
        var failures = new List<string>();
        foreach (var query in queries)
        {
            var sql = GrafanaDashboards.Sql(query.Text, Variables, TimeSpan.FromHours(6));
            try
            {
                await using var command = system.Database.DataSource.CreateCommand(sql);
                await using var reader = await command.ExecuteReaderAsync();
                var rows = 0;
                while (await reader.ReadAsync())
                    rows++;
                if (rows == 0)
                    failures.Add($"no rows: {query}");
                else
                    output.WriteLine($"{rows,4} rows  {query.Dashboard} / {query.Panel}");
            }
            catch (Npgsql.PostgresException exception)
            {
                failures.Add($"{exception.MessageText}: {query}\n    sent: {sql}");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {queries.Count} SQL queries show no data:\n" + string.Join("\n", failures));
    }
}
