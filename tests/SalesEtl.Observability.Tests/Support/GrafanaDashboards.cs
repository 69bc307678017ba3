using System.Text.Json;
using System.Text.RegularExpressions;
using SalesEtl.TestSupport;

namespace SalesEtl.Observability.Tests.Support;

/// <summary>A query of a dashboard: a panel's target or a template variable's query.</summary>
public sealed record DashboardQuery(string Dashboard, string Panel, string RefId, string DatasourceUid, string Text)
{
    public override string ToString() => $"{Dashboard} / {Panel} / {RefId}: {Text}";
}

/// <summary>The dashboards of <c>grafana/dashboards</c>, their queries, and Grafana's variables and macros replaced as Grafana would for a test's time range.</summary>
public static partial class GrafanaDashboards
{
    public const string PrometheusUid = "prometheus";
    public const string PostgresUid = "postgres";

    public static string Folder => Path.Combine(RepositoryLayout.Root, "grafana", "dashboards");

    public static IReadOnlyList<string> Files => Directory.GetFiles(Folder, "*.json").Order(StringComparer.Ordinal).ToList();

    public static IReadOnlyList<DashboardQuery> Queries()
    {
        var queries = new List<DashboardQuery>();
        foreach (var file in Files)
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            var root = document.RootElement;
            var title = root.GetProperty("title").GetString()!;
            foreach (var panel in Panels(root))
            {
                if (!panel.TryGetProperty("targets", out var targets))
                    continue;
                var panelUid = panel.TryGetProperty("datasource", out var ds) ? ds.GetProperty("uid").GetString()! : "";
                foreach (var target in targets.EnumerateArray())
                {
                    var uid = target.TryGetProperty("datasource", out var tds) ? tds.GetProperty("uid").GetString()! : panelUid;
                    var text = target.TryGetProperty("expr", out var expr) ? expr.GetString()! : target.GetProperty("rawSql").GetString()!;
                    queries.Add(new DashboardQuery(title, panel.GetProperty("title").GetString()!, target.GetProperty("refId").GetString()!, uid, text));
                }
            }
            foreach (var variable in root.GetProperty("templating").GetProperty("list").EnumerateArray())
            {
                if (variable.GetProperty("type").GetString() != "query")
                    continue;
                var query = variable.GetProperty("query");
                var text = query.ValueKind == JsonValueKind.String ? query.GetString()! : query.GetProperty("query").GetString()!;
                queries.Add(new DashboardQuery(title, "variable $" + variable.GetProperty("name").GetString(), "var",
                    variable.GetProperty("datasource").GetProperty("uid").GetString()!, text));
            }
        }
        return queries;
    }

    static IEnumerable<JsonElement> Panels(JsonElement container)
    {
        foreach (var panel in container.GetProperty("panels").EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out _))
                foreach (var nested in Panels(panel))
                    yield return nested;
        }
    }

    /// <summary>
    /// A PromQL expression as Grafana sends it: template variables by the values given (all-values
    /// regex otherwise), <c>$__rate_interval</c> and <c>$__range</c> by the windows given; a
    /// variable's <c>label_values(expr, label)</c> becomes <c>group by (label) (expr)</c>.
    /// </summary>
    public static string PromQl(string text, IReadOnlyDictionary<string, string> variables, string rateInterval, string range)
    {
        text = WithoutLabelValues(text);
        text = text.Replace("$__rate_interval", rateInterval, StringComparison.Ordinal)
            .Replace("$__range", range, StringComparison.Ordinal)
            .Replace("$__interval", "15s", StringComparison.Ordinal);
        return ReplaceVariables(text, variables);
    }

    /// <summary>A SQL query as Grafana's PostgreSQL datasource sends it for the last <paramref name="range"/>.</summary>
    public static string Sql(string text, IReadOnlyDictionary<string, string> variables, TimeSpan range)
    {
        var seconds = (long)range.TotalSeconds;
        text = TimeFilter().Replace(text, m => $"{m.Groups[1].Value} BETWEEN now() - interval '{seconds} seconds' AND now() + interval '1 minute'");
        text = text.Replace("$__timeFrom()", $"(now() - interval '{seconds} seconds')", StringComparison.Ordinal)
            .Replace("$__timeTo()", "now()", StringComparison.Ordinal);
        return ReplaceVariables(text, variables);
    }

    /// <summary>A variable's <c>label_values(expr, label)</c> as the PromQL <c>group by (label) (expr)</c>; other text unchanged.</summary>
    static string WithoutLabelValues(string text) =>
        LabelValues().Match(text) is { Success: true } m ? $"group by ({m.Groups[2].Value}) ({m.Groups[1].Value})" : text;

    static string ReplaceVariables(string text, IReadOnlyDictionary<string, string> variables)
    {
        foreach (var (name, value) in variables)
            text = text.Replace("$" + name, value, StringComparison.Ordinal);
        if (LeftoverVariable().Match(text) is { Success: true } leftover)
            throw new InvalidOperationException($"No value for {leftover.Value} in: {text}");
        return text;
    }

    /// <summary>
    /// Names of the metrics an expression selects: identifiers outside strings, label matchers,
    /// ranges and grouping clauses that are not function calls or keywords.
    /// </summary>
    public static IReadOnlySet<string> MetricNames(string promQl)
    {
        var text = StringLiteral().Replace(WithoutLabelValues(promQl), "\"\"");
        text = Matchers().Replace(text, " ");
        text = Ranges().Replace(text, " ");
        text = Grouping().Replace(text, " ");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in Identifier().Matches(text))
        {
            var rest = text.AsSpan(match.Index + match.Length).TrimStart();
            if (rest.Length > 0 && rest[0] == '(')
                continue;
            if (!Keywords.Contains(match.Value))
                names.Add(match.Value);
        }
        return names;
    }

    static readonly HashSet<string> Keywords = new(StringComparer.Ordinal) { "by", "without", "on", "ignoring", "group_left", "group_right", "or", "and", "unless", "bool", "offset", "inf", "nan" };

    [GeneratedRegex(@"^\s*label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$", RegexOptions.Singleline)]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"\$__timeFilter\(([^)]+)\)")]
    private static partial Regex TimeFilter();

    [GeneratedRegex(@"\$[a-zA-Z_][a-zA-Z0-9_]*")]
    private static partial Regex LeftoverVariable();

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();
}
