using System.Globalization;
using System.Text;
using static System.Net.WebUtility;

namespace SalesEtl.Data.Reports;

/// <summary>
/// Renders a run's report as one self-contained HTML page: inline CSS and inline SVG charts, no
/// script and no external resource, so it can be mailed, archived or opened offline. Each bar
/// carries <c>data-key</c> and <c>data-value</c> (money with 2 decimals, counts as integers), the
/// same figures as the run's export.
/// </summary>
public static class RunReportPage
{
    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(RunReport report, DateTimeOffset generatedAt)
    {
        var run = report.Run;
        var html = new StringBuilder(32 * 1024);
        var outcome = run.Outcome ?? run.CurrentState;
        html.Append(CultureInfo.InvariantCulture, $"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Run {run.CorrelationId} — {HtmlEncode(Title(outcome))} — SalesEtl</title>
            <style>{Css}</style>
            </head>
            <body>
            <header>
            <h1>Run report <span class="outcome {CssClass(outcome)}" id="outcome">{HtmlEncode(Title(outcome))}</span></h1>
            <p class="run-id">{run.CorrelationId}</p>
            </header>
            <main>

            """);
        Summary(html, report);
        Timeline(html, report);
        Quality(html, report);
        html.Append("<section id=\"revenue\"><h2>Revenue</h2>\n");
        Chart(html, "revenue-by-product", $"Net revenue by product, top {report.TopProducts.Count} of {report.ProductCount}", report.TopProducts, money: true, horizontal: true);
        Chart(html, "revenue-by-channel", "Net revenue by channel", report.RevenueByChannel, money: true, horizontal: true);
        Chart(html, "revenue-by-month", "Net revenue by month (all channels)", report.RevenueByMonth, money: true, horizontal: false);
        html.Append("</section>\n<section id=\"customers\"><h2>Customers</h2>\n");
        Chart(html, "customer-segments", "Customers by segment", report.CustomerSegments, money: false, horizontal: true);
        html.Append("</section>\n<section id=\"inventory\"><h2>Inventory</h2>\n");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"headline\">Inventory value <strong id=\"inventory-value\" data-value=\"{Money(report.InventoryValue)}\">{Display(report.InventoryValue, money: true)}</strong></p>\n");
        Chart(html, "inventory-by-category", "Inventory value by category", report.InventoryValueByCategory, money: true, horizontal: true);
        html.Append(CultureInfo.InvariantCulture, $"""
            </section>
            </main>
            <footer>Generated {generatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC by SalesEtl from the run's tables.</footer>
            </body>
            </html>

            """);
        return html.ToString();
    }

    static void Summary(StringBuilder html, RunReport report)
    {
        var run = report.Run;
        html.Append("<section id=\"summary\"><h2>Summary</h2>\n<dl>\n");
        Item(html, "Source", run.SourcePath);
        Item(html, "State", run.CurrentState);
        Item(html, "As of", Timestamp(run.AsOf));
        Item(html, "Submitted", Timestamp(run.SubmittedAt));
        Item(html, "Completed", run.CompletedAt is { } completed ? Timestamp(completed) : "not yet");
        if (run.CompletedAt is { } end)
            Item(html, "Duration", Seconds((end - run.SubmittedAt).TotalSeconds));
        Item(html, "Rows read", Display(run.RowsRead));
        Item(html, "Accepted", Display(run.RowsAccepted));
        Item(html, "Rejected", Display(run.RowsRejected));
        Item(html, "Duplicates dropped", Display(run.DuplicatesDropped));
        Item(html, "Chunks", run.TotalChunks is { } total ? $"{run.TransformedChunks.Count} of {total} transformed" : $"{run.StagedChunks.Count} staged");
        if (run.FailedStep is not null)
            Item(html, "Failed at", $"{run.FailedStep}: {run.FailureReason}", "failure");
        else if (report.Quality?.Reason is { } reason)
            Item(html, "Warnings", reason, "warning");
        html.Append("</dl>\n</section>\n");
    }

    static void Item(StringBuilder html, string name, string value, string? cssClass = null) =>
        html.Append(CultureInfo.InvariantCulture, $"<dt>{HtmlEncode(name)}</dt><dd{(cssClass is null ? "" : $" class=\"{cssClass}\"")}>{HtmlEncode(value)}</dd>\n");

    /// <summary>The steps on one time axis from submission: ingest and product sync in parallel, then transform, then metrics.</summary>
    static void Timeline(StringBuilder html, RunReport report)
    {
        var run = report.Run;
        var start = run.SubmittedAt;
        var steps = new (string Step, DateTimeOffset? From, DateTimeOffset? To)[]
        {
            ("ingest", start, run.IngestedAt),
            ("product sync", start, run.ProductsSyncedAt),
            ("transform", run.ProductsSyncedAt, run.TransformedAt),
            ("metrics", run.TransformedAt, run.FailedStep is null ? run.CompletedAt : null),
            ("whole run", start, run.CompletedAt),
        };
        var end = run.CompletedAt ?? run.UpdatedAt;
        var total = Math.Max((end - start).TotalSeconds, 0.001);
        const int width = 760, labelWidth = 120, barWidth = 520, rowHeight = 28;
        var height = steps.Length * rowHeight + 24;
        html.Append(CultureInfo.InvariantCulture, $"<section id=\"timeline\"><h2>Timeline</h2>\n<svg class=\"chart\" data-chart=\"timeline\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Timeline of the run's steps\">\n");
        for (var i = 0; i < steps.Length; i++)
        {
            var (step, from, to) = steps[i];
            var y = i * rowHeight;
            html.Append(CultureInfo.InvariantCulture, $"<g class=\"step\" data-step=\"{step}\"");
            if (from is { } f && to is { } t)
            {
                var s0 = Math.Max(0, (f - start).TotalSeconds);
                var s1 = Math.Max(s0, (t - start).TotalSeconds);
                var x = labelWidth + barWidth * s0 / total;
                var w = Math.Max(2, barWidth * (s1 - s0) / total);
                html.Append(CultureInfo.InvariantCulture, $" data-start-seconds=\"{s0:0.###}\" data-end-seconds=\"{s1:0.###}\">");
                html.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth - 8}\" y=\"{y + 18}\" text-anchor=\"end\">{step}</text>");
                html.Append(CultureInfo.InvariantCulture, $"<rect class=\"{(step == "whole run" ? "total" : "span")}\" x=\"{x:0.#}\" y=\"{y + 5}\" width=\"{w:0.#}\" height=\"{rowHeight - 10}\" rx=\"3\"/>");
                html.Append(CultureInfo.InvariantCulture, $"<text class=\"value\" x=\"{Math.Min(x + w + 6, width - 70):0.#}\" y=\"{y + 18}\">{Seconds(s1 - s0)}</text>");
            }
            else
            {
                html.Append(CultureInfo.InvariantCulture, $"><text x=\"{labelWidth - 8}\" y=\"{y + 18}\" text-anchor=\"end\">{step}</text><text class=\"muted\" x=\"{labelWidth}\" y=\"{y + 18}\">not reached</text>");
            }
            html.Append("</g>\n");
        }
        var axisY = steps.Length * rowHeight + 4;
        html.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{labelWidth}\" y1=\"{axisY}\" x2=\"{labelWidth + barWidth}\" y2=\"{axisY}\"/>");
        html.Append(CultureInfo.InvariantCulture, $"<text class=\"muted\" x=\"{labelWidth}\" y=\"{axisY + 16}\">0 s</text><text class=\"muted\" x=\"{labelWidth + barWidth}\" y=\"{axisY + 16}\" text-anchor=\"end\">{Seconds(total)}</text>\n");
        html.Append("</svg>\n</section>\n");
    }

    static void Quality(StringBuilder html, RunReport report)
    {
        html.Append("<section id=\"quality\"><h2>Data quality</h2>\n");
        if (report.Quality is not { } quality)
        {
            html.Append("<p class=\"muted\">No quality report: the run did not reach the metrics step.</p>\n</section>\n");
            return;
        }
        html.Append("<table id=\"expectations\"><thead><tr><th>Expectation</th><th>Severity</th><th>Result</th><th>Observed</th><th>Threshold</th></tr></thead><tbody>\n");
        foreach (var e in quality.Expectations)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr data-expectation=\"{HtmlEncode(e.Name)}\" data-passed=\"{(e.Passed ? "true" : "false")}\"><td>{HtmlEncode(e.Name.Replace('_', ' '))}</td><td>{HtmlEncode(e.Severity)}</td>");
            html.Append(CultureInfo.InvariantCulture, $"<td class=\"{(e.Passed ? "passed" : "failed")}\">{(e.Passed ? "passed" : "failed")}</td><td>{HtmlEncode(e.Observed)}</td><td>{HtmlEncode(e.Threshold)}</td></tr>\n");
        }
        html.Append("</tbody></table>\n");
        Chart(html, "rejects-by-reason", "Rejected rows by reason", quality.RejectedByReason.Where(p => p.Value > 0).ToList(), money: false, horizontal: true);
        Chart(html, "flags", "Accepted rows by flag", quality.Flags.Where(p => p.Value > 0).ToList(), money: false, horizontal: true);
        html.Append("</section>\n");
    }

    /// <summary>A bar chart (horizontal: one row per point; otherwise columns in order) with a zero axis, so negative values (returns) show left of or below it.</summary>
    static void Chart(StringBuilder html, string id, string title, IReadOnlyList<ChartPoint> points, bool money, bool horizontal)
    {
        Func<decimal, string> dataValue = money ? Money : Count;
        html.Append(CultureInfo.InvariantCulture, $"<figure id=\"{id}\"><figcaption>{HtmlEncode(title)}</figcaption>\n");
        if (points.Count == 0)
        {
            html.Append("<p class=\"muted\">No data.</p>\n</figure>\n");
            return;
        }
        var min = Math.Min(0m, points.Min(p => p.Value));
        var max = Math.Max(0m, points.Max(p => p.Value));
        var span = max == min ? 1m : max - min;
        const int width = 760;
        if (horizontal)
        {
            const int labelWidth = 220, valueWidth = 110, rowHeight = 26;
            var barArea = width - labelWidth - valueWidth;
            var zero = labelWidth + (double)(barArea * (0 - min) / span);
            var height = points.Count * rowHeight + 8;
            html.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" data-chart=\"{id}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{HtmlEncode(title)}\">\n");
            for (var i = 0; i < points.Count; i++)
            {
                var p = points[i];
                var y = i * rowHeight + 4;
                var end = labelWidth + (double)(barArea * (p.Value - min) / span);
                var (x, w) = (Math.Min(zero, end), Math.Max(1, Math.Abs(end - zero)));
                Bar(html, p, dataValue, negative: p.Value < 0);
                html.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth - 8}\" y=\"{y + 17}\" text-anchor=\"end\">{HtmlEncode(Shorten(p.Label, 30))}</text>");
                html.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.#}\" y=\"{y + 3}\" width=\"{w:0.#}\" height=\"{rowHeight - 8}\" rx=\"2\"/>");
                html.Append(CultureInfo.InvariantCulture, $"<text class=\"value\" x=\"{width - 4}\" y=\"{y + 17}\" text-anchor=\"end\">{Display(p.Value, money)}</text></g>\n");
            }
            html.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{zero:0.#}\" y1=\"0\" x2=\"{zero:0.#}\" y2=\"{height}\"/>\n");
        }
        else
        {
            const int height = 260, top = 24, bottom = 40, left = 8;
            var plot = height - top - bottom;
            var column = (width - left) / (double)points.Count;
            var zero = top + (double)(plot * (max - 0) / span);
            html.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" data-chart=\"{id}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{HtmlEncode(title)}\">\n");
            for (var i = 0; i < points.Count; i++)
            {
                var p = points[i];
                var end = top + (double)(plot * (max - p.Value) / span);
                var (y, h) = (Math.Min(zero, end), Math.Max(1, Math.Abs(end - zero)));
                var x = left + i * column;
                var center = x + column / 2;
                Bar(html, p, dataValue, negative: p.Value < 0);
                html.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x + column * 0.15:0.#}\" y=\"{y:0.#}\" width=\"{column * 0.7:0.#}\" height=\"{h:0.#}\" rx=\"2\"><title>{HtmlEncode(p.Label)}: {Display(p.Value, money)}</title></rect>");
                html.Append(CultureInfo.InvariantCulture, $"<text x=\"{center:0.#}\" y=\"{height - bottom + 16}\" text-anchor=\"middle\">{HtmlEncode(p.Label)}</text>");
                if (points.Count <= 16)
                    html.Append(CultureInfo.InvariantCulture, $"<text class=\"value small\" x=\"{center:0.#}\" y=\"{Math.Max(12, y - 4):0.#}\" text-anchor=\"middle\">{Display(p.Value, money)}</text>");
                html.Append("</g>\n");
            }
            html.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{left}\" y1=\"{zero:0.#}\" x2=\"{width}\" y2=\"{zero:0.#}\"/>\n");
        }
        html.Append("</svg>\n</figure>\n");
    }

    static void Bar(StringBuilder html, ChartPoint p, Func<decimal, string> dataValue, bool negative) =>
        html.Append(CultureInfo.InvariantCulture, $"<g class=\"bar{(negative ? " negative" : "")}\" data-key=\"{HtmlEncode(p.Key)}\" data-value=\"{dataValue(p.Value)}\">");

    static string Money(decimal value) => value.ToString("0.00", Invariant);

    static string Count(decimal value) => value.ToString("0", Invariant);

    static string Display(decimal value, bool money) => value.ToString(money ? "#,##0.00" : "#,##0", Invariant);

    static string Display(long? value) => value is { } v ? v.ToString("#,##0", Invariant) : "–";

    static string Timestamp(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Invariant);

    static string Seconds(double seconds) => seconds < 60 ? seconds.ToString("0.0 's'", Invariant) : TimeSpan.FromSeconds(seconds).ToString(@"h\:mm\:ss", Invariant);

    static string Shorten(string text, int length) => text.Length <= length ? text : string.Concat(text.AsSpan(0, length - 1), "…");

    static string Title(string outcome) => outcome switch
    {
        "succeeded" => "Succeeded",
        "succeeded_with_warnings" => "Succeeded with warnings",
        "failed" => "Failed",
        _ => outcome,
    };

    static string CssClass(string outcome) => outcome switch
    {
        "succeeded" => "ok",
        "succeeded_with_warnings" => "warn",
        "failed" => "bad",
        _ => "running",
    };

    const string Css = """
        :root { --ink: #1d2430; --muted: #6b7380; --line: #d8dde5; --bar: #3b6fd8; --neg: #d0563b; --ok: #1e8a4c; --warn: #b7791f; --bad: #c0392b; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #f5f7fa; }
        header, main, footer { max-width: 860px; margin: 0 auto; padding: 0 20px; }
        header { padding-top: 28px; }
        h1 { font-size: 26px; margin: 0; display: flex; align-items: center; gap: 14px; }
        h2 { font-size: 18px; margin: 0 0 12px; }
        .run-id { color: var(--muted); font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; margin: 4px 0 16px; }
        .outcome { font-size: 14px; padding: 3px 10px; border-radius: 12px; color: #fff; }
        .outcome.ok { background: var(--ok); } .outcome.warn { background: var(--warn); } .outcome.bad { background: var(--bad); } .outcome.running { background: var(--muted); }
        section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 18px 20px; margin: 0 0 18px; }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0; }
        dt { color: var(--muted); } dd { margin: 0; overflow-wrap: anywhere; }
        dd.failure { color: var(--bad); font-weight: 600; } dd.warning { color: var(--warn); font-weight: 600; }
        table { border-collapse: collapse; width: 100%; margin-bottom: 16px; }
        th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); }
        th { color: var(--muted); font-weight: 600; font-size: 13px; }
        td.passed { color: var(--ok); font-weight: 600; } td.failed { color: var(--bad); font-weight: 600; }
        figure { margin: 0 0 18px; } figcaption { font-weight: 600; margin-bottom: 6px; }
        svg.chart { width: 100%; height: auto; display: block; font-size: 12px; }
        svg text { fill: var(--ink); } svg .value { fill: var(--muted); font-variant-numeric: tabular-nums; } svg .small { font-size: 10px; }
        svg .muted, .muted { fill: var(--muted); color: var(--muted); }
        svg .bar rect, svg rect.span { fill: var(--bar); } svg .bar.negative rect { fill: var(--neg); } svg rect.total { fill: #9aa5b8; }
        svg .axis { stroke: var(--ink); stroke-width: 1; }
        .headline { font-size: 16px; } .headline strong { font-size: 20px; }
        footer { color: var(--muted); font-size: 13px; padding-bottom: 28px; }
        """;
}
