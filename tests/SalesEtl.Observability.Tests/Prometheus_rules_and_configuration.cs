using SalesEtl.Observability.Tests.Support;

namespace SalesEtl.Observability.Tests;

/// <summary>deploy/prometheus checked by promtool, as CI would: configuration, rules and the unit tests of every alert.</summary>
public sealed class Prometheus_rules_and_configuration
{
    static async Task<ToolResult?> PromtoolAsync(params string[] args)
    {
        var promtool = RequiredTool.Find("promtool");
        if (promtool is null)
        {
            // Fail, never skip, where it must be present.
            Assert.False(RequiredTool.IsCi, "promtool is missing (CI=true): deploy/local/infra.sh installs Debian's prometheus package");
            return null;
        }
        return await ToolRun.RunAsync(promtool, args, PrometheusRules.Folder);
    }

    [Theory]
    [InlineData("prometheus.yml")]            // the local processes (deploy/local/up.sh)
    [InlineData("prometheus.compose.yml")]    // inside docker-compose.yml
    public async Task Promtool_should_accept_the_scrape_configuration(string file)
    {
        var result = await PromtoolAsync("check", "config", Path.Combine(PrometheusRules.Folder, file));
        if (result is not null)
            Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Promtool_should_accept_the_alert_rules()
    {
        var result = await PromtoolAsync("check", "rules", PrometheusRules.AlertsFile);
        if (result is not null)
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("SUCCESS: 6 rules found", result.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Promtool_unit_tests_of_the_alerts_should_pass()
    {
        var result = await PromtoolAsync("test", "rules", PrometheusRules.AlertTestsFile);
        if (result is not null)
            Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public void Every_alert_should_have_a_unit_test_that_expects_it_to_fire()
    {
        var tests = File.ReadAllText(PrometheusRules.AlertTestsFile);
        var alerts = PrometheusRules.Alerts().Select(a => a.Alert).ToList();
        Assert.Equal(["EtlRunFailed", "EtlDeadLetterQueueNotEmpty", "EtlRunStalled", "EtlServiceDown", "EtlMessageErrorRateHigh", "EtlHttpErrorRateHigh"], alerts);
        foreach (var alert in alerts)
        {
            var tested = tests.Split("alertname: " + alert).Skip(1).Any(after => after.TrimStart().StartsWith("exp_alerts:\n          - exp_labels:", StringComparison.Ordinal));
            Assert.True(tested, $"alerts_test.yml has no test in which {alert} fires");
        }
    }
}

/// <summary>The alert rules evaluated by a real Prometheus on the data of the observed system.</summary>
[Collection(ObservedSystemCollection.Name)]
public sealed class Alerts_on_real_data(ObservedSystem system)
{
    [Fact]
    public async Task A_failed_run_and_a_dead_letter_should_raise_their_alerts()
    {
        var vhost = system.VirtualHost.Name;
        IReadOnlyList<(string Name, string State, IReadOnlyDictionary<string, string> Labels)> alerts = [];
        await system.Prometheus.WaitUntilAsync(async () =>
        {
            alerts = await system.Prometheus.AlertsAsync();
            return alerts.Any(a => a.Name == "EtlRunFailed" && a.State == "firing" && a.Labels["step"] == "ingest")
                && alerts.Any(a => a.Name == "EtlDeadLetterQueueNotEmpty" && a.Labels.GetValueOrDefault("vhost") == vhost && a.Labels["queue"] == "transform-chunk_error");
        }, TimeSpan.FromSeconds(20), "The alerts did not appear: " + string.Join("; ", alerts.Select(a => $"{a.Name} {a.State}")));

        // Nothing of ours is down and nothing stalled.
        Assert.DoesNotContain(alerts, a => a.Name is "EtlServiceDown" or "EtlRunStalled");
    }
}
