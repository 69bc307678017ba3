using System.Text.RegularExpressions;
using SalesEtl.Observability.Tests.Support;

namespace SalesEtl.Observability.Tests;

/// <summary>What the services and the broker export on their /metrics, against what the dashboards and alerts read.</summary>
[Collection(ObservedSystemCollection.Name)]
public sealed partial class Exported_metrics(ObservedSystem system, Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Series Prometheus makes itself rather than scraping them.</summary>
    static readonly HashSet<string> MadeByPrometheus = new(StringComparer.Ordinal) { "up", "ALERTS", "ALERTS_FOR_STATE", "scrape_duration_seconds" };

    [Fact]
    public async Task Every_metric_a_dashboard_or_an_alert_reads_should_be_exported_by_a_service_or_the_broker()
    {
        var exported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in (await ScrapeServicesAsync()).Values)
            exported.UnionWith(SampleNames(text));
        using var http = new HttpClient();
        exported.UnionWith(SampleNames(await http.GetStringAsync(new Uri($"http://{ObservedSystem.RabbitMqPrometheusTarget}/metrics"))));
        exported.UnionWith(SampleNames(await http.GetStringAsync(new Uri($"http://{ObservedSystem.RabbitMqPrometheusTarget}/metrics/detailed?family=queue_coarse_metrics&family=queue_consumer_count"))));

        var used = GrafanaDashboards.Queries().Where(q => q.DatasourceUid == GrafanaDashboards.PrometheusUid)
            .SelectMany(q => GrafanaDashboards.MetricNames(q.Text).Select(name => (name, where: q.ToString())))
            .Concat(PrometheusRules.Alerts().SelectMany(a => GrafanaDashboards.MetricNames(a.Expression).Select(name => (name, where: $"alert {a.Alert}: {a.Expression}"))))
            .ToList();
        Assert.Contains(used, u => u.name == "etl_runs_total");
        Assert.Contains(used, u => u.name == "masstransit_messaging_masstransit_receive_duration_bucket");

        var missing = used.Where(u => !exported.Contains(u.name) && !MadeByPrometheus.Contains(u.name)).Select(u => $"{u.name}  ({u.where})").Distinct().ToList();
        Assert.True(missing.Count == 0, "Metrics that nothing exports:\n" + string.Join("\n", missing));
    }

    [Fact]
    public async Task Every_service_should_export_HTTP_process_runtime_and_MassTransit_metrics()
    {
        var scraped = await ScrapeServicesAsync();
        foreach (var (service, text) in scraped)
            output.WriteLine($"{service}: {string.Join(" ", SampleNames(text).Where(n => n.StartsWith("masstransit", StringComparison.Ordinal) && !n.EndsWith("_bucket", StringComparison.Ordinal)).Order(StringComparer.Ordinal))}");
        foreach (var (service, text) in scraped)
        {
            var names = SampleNames(text);
            foreach (var expected in new[] { "http_requests_received_total", "http_request_duration_seconds_bucket", "process_cpu_seconds_total", "process_working_set_bytes", "dotnet_total_memory_bytes", "system_runtime_dotnet_gc_collections" })
                Assert.True(names.Contains(expected), $"{service} does not export {expected}");
            if (ObservedSystem.PipelineServices.Contains(service.StartsWith("transformer-", StringComparison.Ordinal) ? "transformer" : service))
                Assert.True(names.Contains("masstransit_messaging_masstransit_receive"), $"{service} does not export MassTransit's receive counter (MeterAdapter not started?)");
        }
    }

    [Fact]
    public async Task Our_metrics_should_follow_the_Prometheus_naming_conventions_and_never_label_a_run()
    {
        var problems = new List<string>();
        foreach (var (service, text) in await ScrapeServicesAsync())
        {
            foreach (Match type in TypeLine().Matches(text))
            {
                var (name, kind) = (type.Groups[1].Value, type.Groups[2].Value);
                if (!name.StartsWith("etl_", StringComparison.Ordinal))
                    continue;
                if (kind == "counter" && !name.EndsWith("_total", StringComparison.Ordinal))
                    problems.Add($"{service}: counter {name} does not end in _total");
                if (kind != "counter" && name.EndsWith("_total", StringComparison.Ordinal))
                    problems.Add($"{service}: {kind} {name} ends in _total");
                if (kind == "histogram" && !name.EndsWith("_seconds", StringComparison.Ordinal))
                    problems.Add($"{service}: histogram {name} is not in seconds");
            }
            foreach (Match sample in EtlSample().Matches(text))
            {
                var labels = sample.Groups[2].Value;
                if (labels.Contains("run", StringComparison.OrdinalIgnoreCase) || labels.Contains("chunk", StringComparison.OrdinalIgnoreCase) || GuidText().IsMatch(labels))
                    problems.Add($"{service}: {sample.Value.Trim()} labels a run or a chunk");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    async Task<IReadOnlyDictionary<string, string>> ScrapeServicesAsync()
    {
        using var http = new HttpClient();
        var scraped = new Dictionary<string, string>();
        foreach (var process in system.Topology.Processes.Where(p => ObservedSystem.TopologyProcesses.Contains(p.Name)))
            scraped[process.Name] = await http.GetStringAsync(new Uri(process.BaseAddress, "/metrics"));
        Assert.Equal(ObservedSystem.ServiceJobs.Length + 1, scraped.Count);
        return scraped;
    }

    /// <summary>The names of the samples of an exposition (histograms give _bucket, _sum and _count).</summary>
    static HashSet<string> SampleNames(string exposition) =>
        exposition.Split('\n').Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => SampleName().Match(line).Value).Where(name => name.Length > 0).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SampleName();

    [GeneratedRegex(@"^# TYPE (\S+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^(etl_[a-z_]+)\{([^}]*)\}", RegexOptions.Multiline)]
    private static partial Regex EtlSample();

    [GeneratedRegex(@"[0-9a-f]{8}-[0-9a-f]{4}-")]
    private static partial Regex GuidText();
}
