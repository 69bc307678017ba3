using System.Globalization;
using System.Text.Json;
using SalesEtl.EndToEnd.Tests.Reference;

namespace SalesEtl.EndToEnd.Tests.Distributed;

/// <summary>
/// Compares a real run's quality report (SPEC §4) with the reference computation's figures: the row counts, the
/// rejects by reason, the flag counts (price_outlier too, which no exported table shows) and each expectation's verdict
/// and observed value. Keys are compared as sets, not in order: PostgreSQL's jsonb orders them its own way.
/// </summary>
public static class QualityReportComparison
{
    /// <summary>Asserts that <c>quality_report.json</c> of an export folder holds the reference's figures.</summary>
    public static void AssertSameFigures(ReferenceQuality expected, string exportDir)
    {
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(exportDir, "quality_report.json")));
        var root = report.RootElement;
        var actual = new List<string>
        {
            $"rows_read {root.GetProperty("rows_read").GetInt64()}",
            $"rows_accepted {root.GetProperty("rows_accepted").GetInt64()}",
            $"rows_rejected {root.GetProperty("rows_rejected").GetInt64()}",
            $"duplicates_dropped {root.GetProperty("duplicates_dropped").GetInt64()}",
        };
        actual.AddRange(Counts(root.GetProperty("rejected_by_reason"), "rejected_by_reason"));
        actual.AddRange(Counts(root.GetProperty("flags"), "flags"));
        actual.AddRange(root.GetProperty("expectations").EnumerateArray().Select(e =>
            Expectation(e.GetProperty("name").GetString()!, e.GetProperty("passed").GetBoolean(), e.GetProperty("observed").GetString()!)));

        Assert.Equal(Figures(expected), actual);
    }

    /// <summary>Asserts the Flags and Quality lines of <c>etl status</c> against the reference's figures.</summary>
    public static void AssertStatusShowsSameFigures(ReferenceQuality expected, string statusOutput)
    {
        var lines = statusOutput.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var flagsLine = lines.Single(l => l.StartsWith("Flags      ", StringComparison.Ordinal));
        var shownFlags = flagsLine["Flags      ".Length..].Split(", ")
            .Select(part => part.Split(' '))
            .ToDictionary(p => p[0], p => long.Parse(p[1], NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
        Assert.Equal(expected.Flags.OrderBy(f => f.Key, StringComparer.Ordinal), shownFlags.OrderBy(f => f.Key, StringComparer.Ordinal));

        var quality = lines.IndexOf("Quality");
        Assert.True(quality >= 0, $"no Quality section in:\n{statusOutput}");
        var shown = lines.Skip(quality + 1).Take(expected.Expectations.Count).ToList();
        for (var i = 0; i < expected.Expectations.Count; i++)
        {
            var e = expected.Expectations[i];
            var start = $"  {(e.Passed ? "pass" : "FAIL"),-4} {e.Name,-26} {e.Observed} (expected ";
            Assert.True(i < shown.Count && shown[i].StartsWith(start, StringComparison.Ordinal),
                $"expected a line starting \"{start}\" at {i + 1} of the Quality section of:\n{statusOutput}");
        }
    }

    static List<string> Figures(ReferenceQuality expected)
    {
        var figures = new List<string>
        {
            $"rows_read {expected.RowsRead}",
            $"rows_accepted {expected.RowsAccepted}",
            $"rows_rejected {expected.RowsRejected}",
            $"duplicates_dropped {expected.DuplicatesDropped}",
        };
        figures.AddRange(expected.RejectedByReason.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"rejected_by_reason.{r.Key} {r.Value}"));
        figures.AddRange(expected.Flags.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"flags.{f.Key} {f.Value}"));
        figures.AddRange(expected.Expectations.Select(e => Expectation(e.Name, e.Passed, e.Observed)));
        return figures;
    }

    static IEnumerable<string> Counts(JsonElement counts, string section) =>
        counts.EnumerateObject().OrderBy(c => c.Name, StringComparer.Ordinal).Select(c => $"{section}.{c.Name} {c.Value.GetInt64()}");

    static string Expectation(string name, bool passed, string observed) => $"expectation {name} {(passed ? "passed" : "failed")}, observed {observed}";
}
