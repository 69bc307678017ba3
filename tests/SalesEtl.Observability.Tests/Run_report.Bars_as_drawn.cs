using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace SalesEtl.Observability.Tests;

/// <summary>
/// What a reader of the report sees, not only the data attributes: each bar's visible label and
/// figure are those of the export, and its length (height for columns) is proportional to its value.
/// </summary>
public sealed partial class Run_report
{
    /// <summary>A bar as drawn: its data attributes, the label and figure a reader sees, the size of its rectangle.</summary>
    sealed record DrawnBar(string Key, decimal Value, string Label, decimal Shown, double Size);

    [Fact]
    public async Task Should_draw_each_bar_with_the_label_and_figure_of_the_export_and_a_size_proportional_to_it()
    {
        var page = await ReportAsync(system.SucceededRunId);
        var export = await ExportAsync(system.SucceededRunId);

        var products = Csv(export, "product_revenue").ToDictionary(r => r["product_id"], r => r["product_name"].Length > 0 ? r["product_name"] : r["product_id"], StringComparer.Ordinal);
        AssertDrawn(page, "revenue-by-product", horizontal: true, key => Shortened(products[key]));
        AssertDrawn(page, "revenue-by-channel", horizontal: true, key => key);
        AssertDrawn(page, "revenue-by-month", horizontal: false, key => key);
        AssertDrawn(page, "customer-segments", horizontal: true, key => key.Replace('_', ' '));
        AssertDrawn(page, "inventory-by-category", horizontal: true, key => key.Length > 0 ? key : "(no category)");
        AssertDrawn(page, "rejects-by-reason", horizontal: true, key => key.Replace('_', ' '));
    }

    static void AssertDrawn(string page, string chart, bool horizontal, Func<string, string> expectedLabel)
    {
        var bars = DrawnBars(page, chart, horizontal);
        Assert.NotEmpty(bars);
        foreach (var bar in bars)
        {
            Assert.Equal(expectedLabel(bar.Key), bar.Label);
            Assert.True(bar.Value == bar.Shown, $"{chart} {bar.Key}: shows {bar.Shown}, its value is {bar.Value}");
        }

        // One scale per chart, from its longest bar; each size is rounded to 0.1 px, and a bar is at least 1 px.
        var longest = bars.MaxBy(b => Math.Abs(b.Value))!;
        var pixelsPerUnit = longest.Size / (double)Math.Abs(longest.Value);
        foreach (var bar in bars)
        {
            var expected = Math.Max(1, pixelsPerUnit * (double)Math.Abs(bar.Value));
            Assert.True(Math.Abs(bar.Size - expected) <= 0.2, $"{chart} {bar.Key}: {bar.Size:0.#} px, {expected:0.##} px expected for {bar.Value}");
        }
    }

    static List<DrawnBar> DrawnBars(string page, string chart, bool horizontal)
    {
        var svg = Regex.Match(page, $"<svg class=\"chart\" data-chart=\"{chart}\".*?</svg>", RegexOptions.Singleline);
        Assert.True(svg.Success, $"no chart {chart}");
        return BarGroup().Matches(svg.Value).Select(m =>
        {
            var body = m.Groups["body"].Value;
            var texts = SvgText().Matches(body).Select(t => (Class: t.Groups["class"].Value, Text: WebUtility.HtmlDecode(t.Groups["text"].Value))).ToList();
            var label = texts.Single(t => t.Class.Length == 0).Text;
            // Columns too narrow for a figure above them give it in their tooltip ("label: figure").
            var shown = texts.Where(t => t.Class.StartsWith("value", StringComparison.Ordinal)).Select(t => t.Text).SingleOrDefault()
                ?? WebUtility.HtmlDecode(RectTitle().Match(body).Groups["title"].Value).Split(": ")[^1];
            var rect = Rect().Match(body);
            Assert.True(rect.Success, $"{chart}: a bar without a rectangle: {body}");
            return new DrawnBar(
                WebUtility.HtmlDecode(m.Groups["key"].Value),
                decimal.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture),
                label,
                decimal.Parse(shown, NumberStyles.Number, CultureInfo.InvariantCulture),
                double.Parse(rect.Groups[horizontal ? "width" : "height"].Value, CultureInfo.InvariantCulture));
        }).ToList();
    }

    /// <summary>Long names are cut to 30 characters with an ellipsis, as a label has room for.</summary>
    static string Shortened(string label) => label.Length <= 30 ? label : string.Concat(label.AsSpan(0, 29), "…");

    [GeneratedRegex("<g class=\"bar[^\"]*\" data-key=\"(?<key>[^\"]*)\" data-value=\"(?<value>[^\"]*)\">(?<body>.*?)</g>", RegexOptions.Singleline)]
    private static partial Regex BarGroup();

    [GeneratedRegex("<text(?: class=\"(?<class>[^\"]*)\")?[^>]*>(?<text>[^<]*)</text>")]
    private static partial Regex SvgText();

    [GeneratedRegex("<rect [^>]*\\bwidth=\"(?<width>[0-9.]+)\" height=\"(?<height>[0-9.]+)\"")]
    private static partial Regex Rect();

    [GeneratedRegex("<title>(?<title>[^<]*)</title>")]
    private static partial Regex RectTitle();
}
