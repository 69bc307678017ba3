using SalesEtl.TestSupport;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace SalesEtl.Observability.Tests;

/// <summary><c>etl report</c> and the orchestrator's <c>/runs/{id}/report</c>: one self-contained page whose charts show the run's exported figures.</summary>
[Collection(ObservedSystemCollection.Name)]
public sealed partial class Run_report(ObservedSystem system)
{
    [Fact]
    public async Task Should_show_the_figures_of_the_export_in_its_charts()
    {
        var page = await ReportAsync(system.SucceededRunId);
        var export = await ExportAsync(system.SucceededRunId);

        var products = Csv(export, "product_revenue").OrderBy(r => int.Parse(r["rank"], CultureInfo.InvariantCulture)).ThenBy(r => r["product_id"], StringComparer.Ordinal).ToList();
        Assert.True(products.Count > 10, "the fixture has more than 10 products");
        Assert.Equal(products.Take(10).Select(r => (r["product_id"], r["net_revenue"])), Bars(page, "revenue-by-product"));
        Assert.Contains($"top 10 of {products.Count}", page, StringComparison.Ordinal);

        Assert.Equal(Csv(export, "channel_performance").Select(r => (r["channel"], r["net_revenue"])).Order(), Bars(page, "revenue-by-channel").Order());

        var months = Csv(export, "channel_monthly").GroupBy(r => r["month"], StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Sum(r => decimal.Parse(r["net_revenue"], CultureInfo.InvariantCulture)).ToString("0.00", CultureInfo.InvariantCulture)));
        Assert.Equal(months, Bars(page, "revenue-by-month"));

        Assert.Equal(Csv(export, "customer_segments").Select(r => (r["segment"], r["customers"])), Bars(page, "customer-segments"));
        Assert.Equal(Csv(export, "inventory_by_category").Select(r => (r["category"], r["stock_value"])).Order(), Bars(page, "inventory-by-category").Order());
        var inventoryValue = Csv(export, "inventory_valuation").Sum(r => decimal.Parse(r["stock_value"], CultureInfo.InvariantCulture)).ToString("0.00", CultureInfo.InvariantCulture);
        Assert.Contains($"id=\"inventory-value\" data-value=\"{inventoryValue}\"", page, StringComparison.Ordinal);

        var rejects = Csv(export, "rejects").GroupBy(r => r["reason"], StringComparer.Ordinal).Select(g => (g.Key, g.Count().ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(rejects.Order(), Bars(page, "rejects-by-reason").Order());
    }

    [Fact]
    public async Task Should_show_the_outcome_the_step_timeline_and_the_quality_results()
    {
        var page = await ReportAsync(system.SucceededRunId);
        Assert.Contains($"<p class=\"run-id\">{system.SucceededRunId}</p>", page, StringComparison.Ordinal);
        Assert.Contains("id=\"outcome\">Succeeded</span>", page, StringComparison.Ordinal);
        foreach (var step in new[] { "ingest", "product sync", "transform", "metrics", "whole run" })
            Assert.Matches($"data-step=\"{step}\" data-start-seconds=\"[0-9.]+\" data-end-seconds=\"[0-9.]+\"", page);
        foreach (var expectation in new[] { "reject_rate", "unknown_product_rate", "no_null_required_columns", "reconciliation" })
            Assert.Contains($"data-expectation=\"{expectation}\"", page, StringComparison.Ordinal);
        Assert.Contains("<dt>Rows read</dt><dd>1,000</dd>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_reference_no_external_resource()
    {
        var page = await ReportAsync(system.SucceededRunId);
        Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?i)\b(src|href|xlink:href|action|srcset)\s*=", page);
        Assert.DoesNotMatch(@"(?i)<(script|link|iframe|object|embed|img)\b", page);
        Assert.DoesNotMatch(@"(?i)url\(|@import|https?:|//[a-z0-9.-]+\.[a-z]{2,}/", page);
    }

    [Fact]
    public async Task Should_explain_a_failed_run()
    {
        var page = await ReportAsync(system.FailedRunId);
        Assert.Contains("id=\"outcome\">Failed</span>", page, StringComparison.Ordinal);
        Assert.Contains("<dt>Failed at</dt><dd class=\"failure\">ingest: The file lacks required column(s): quantity.", page, StringComparison.Ordinal);
        Assert.Contains("not reached", page, StringComparison.Ordinal);
        Assert.Contains("No quality report", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_orchestrator_should_serve_the_same_page()
    {
        var orchestrator = system.Topology.Processes.Single(p => p.Name == "orchestrator");
        using var http = new HttpClient { BaseAddress = orchestrator.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Api-Key", EtlTopology.ApiKey);
        using var response = await http.GetAsync(new Uri($"/runs/{system.SucceededRunId}/report", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var served = await response.Content.ReadAsStringAsync();
        Assert.Equal(WithoutFooter(await ReportAsync(system.SucceededRunId)), WithoutFooter(served));

        using var missing = await http.GetAsync(new Uri($"/runs/{Guid.NewGuid()}/report", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Etl_report_should_say_so_for_an_unknown_run()
    {
        var result = await system.Topology.RunEtlAsync("report", Guid.NewGuid().ToString(), "--out", Path.Combine(Path.GetTempPath(), $"report-{Guid.NewGuid():N}.html"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("No run", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_render_in_headless_Chromium_without_console_messages_and_with_the_same_figures()
    {
        var chromium = Support.RequiredTool.Find("chromium");
        if (chromium is null)
        {
            // Fail, never skip, where it must be present.
            Assert.False(Support.RequiredTool.IsCi, "chromium is missing (CI=true): deploy/local/infra.sh installs Debian's chromium package");
            return;
        }
        var file = await ReportFileAsync(system.SucceededRunId);
        var page = await File.ReadAllTextAsync(file);
        var url = new Uri(file).AbsoluteUri;
        string[] headless = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0", "--window-size=1000,3200"];

        var screenshot = Path.ChangeExtension(file, ".png");
        var shot = await Support.ToolRun.RunAsync(chromium, [.. headless, $"--screenshot={screenshot}", url]);
        Assert.True(shot.ExitCode == 0, shot.ToString());
        var png = await File.ReadAllBytesAsync(screenshot);
        Assert.True(png.Length > 20_000 && png.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), $"no screenshot in {screenshot}");

        var dom = await Support.ToolRun.RunAsync(chromium, [.. headless, "--dump-dom", url]);
        Assert.True(dom.ExitCode == 0, dom.ToString());
        // The page has no script: any console message (an error loading something, a CSP report) is a fault.
        Assert.DoesNotContain(":CONSOLE", shot.Output + dom.Output, StringComparison.Ordinal);
        foreach (var chart in new[] { "revenue-by-product", "revenue-by-channel", "revenue-by-month", "customer-segments", "inventory-by-category", "rejects-by-reason" })
            Assert.Equal(Bars(page, chart), Bars(dom.Output, chart));
        Assert.NotEmpty(Bars(dom.Output, "revenue-by-product"));
    }

    async Task<string> ReportAsync(Guid runId) => await File.ReadAllTextAsync(await ReportFileAsync(runId));

    async Task<string> ReportFileAsync(Guid runId)
    {
        var file = Path.Combine(Path.GetTempPath(), "sales-etl-reports", $"{runId}-{Guid.NewGuid():N}.html");
        var result = await system.Topology.RunEtlAsync("report", runId.ToString(), "--out", file);
        Assert.True(result.ExitCode == 0, result.ToString());
        return file;
    }

    async Task<string> ExportAsync(Guid runId)
    {
        var folder = Path.Combine(Path.GetTempPath(), "sales-etl-reports", $"{runId}-export");
        var result = await system.Topology.RunEtlAsync("export", runId.ToString(), "--out", folder);
        Assert.True(result.ExitCode == 0, result.ToString());
        return folder;
    }

    /// <summary>The bars of one chart: (data-key, data-value) in the page's order.</summary>
    static List<(string Key, string Value)> Bars(string page, string chart)
    {
        var svg = Regex.Match(page, $"<svg class=\"chart\" data-chart=\"{chart}\".*?</svg>", RegexOptions.Singleline);
        Assert.True(svg.Success, $"no chart {chart}");
        return BarData().Matches(svg.Value).Select(m => (WebUtility.HtmlDecode(m.Groups[1].Value), m.Groups[2].Value)).ToList();
    }

    static string WithoutFooter(string page) => Footer().Replace(page, "");

    /// <summary>Rows of an exported CSV (RFC 4180, header first) as column → text.</summary>
    static List<Dictionary<string, string>> Csv(string folder, string table)
    {
        var records = ParseCsv(File.ReadAllText(Path.Combine(folder, table + ".csv")));
        var header = records[0];
        return records.Skip(1).Select(r => header.Select((name, i) => (name, value: r[i])).ToDictionary(x => x.name, x => x.value)).ToList();
    }

    static List<List<string>> ParseCsv(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                    field.Append(text[++i]);
                else if (c == '"')
                    quoted = false;
                else
                    field.Append(c);
            }
            else if (c == '"')
                quoted = true;
            else if (c == ',')
            {
                record.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                record.Add(field.ToString());
                field.Clear();
                records.Add(record);
                record = [];
            }
            else
                field.Append(c);
        }
        return records;
    }

    [GeneratedRegex("<g class=\"bar[^\"]*\" data-key=\"([^\"]*)\" data-value=\"([^\"]*)\">")]
    private static partial Regex BarData();

    [GeneratedRegex("<footer>.*?</footer>", RegexOptions.Singleline)]
    private static partial Regex Footer();
}
