using System.Text.RegularExpressions;
using SalesEtl.TestSupport;

namespace SalesEtl.Observability.Tests.Support;

/// <summary>The files of <c>deploy/prometheus</c> and the expressions of its alert rules.</summary>
public static partial class PrometheusRules
{
    public static string Folder => Path.Combine(RepositoryLayout.Root, "deploy", "prometheus");
    public static string ConfigFile => Path.Combine(Folder, "prometheus.yml");
    public static string AlertsFile => Path.Combine(Folder, "alerts.yml");
    public static string AlertTestsFile => Path.Combine(Folder, "alerts_test.yml");

    /// <summary>Each alert's name and expression (a one-line <c>expr:</c> or a <c>expr: |</c> block).</summary>
    public static IReadOnlyList<(string Alert, string Expression)> Alerts()
    {
        var lines = File.ReadAllLines(AlertsFile);
        var alerts = new List<(string, string)>();
        string? alert = null;
        for (var i = 0; i < lines.Length; i++)
        {
            if (AlertLine().Match(lines[i]) is { Success: true } a)
                alert = a.Groups[1].Value;
            if (ExprLine().Match(lines[i]) is not { Success: true } e || alert is null)
                continue;
            var expression = e.Groups[2].Value.Trim();
            if (expression is "|" or ">")
            {
                var indent = e.Groups[1].Value.Length;
                var block = new List<string>();
                while (i + 1 < lines.Length && (lines[i + 1].Trim().Length == 0 || lines[i + 1].Length - lines[i + 1].TrimStart().Length > indent))
                    block.Add(lines[++i].Trim());
                expression = string.Join(" ", block).Trim();
            }
            alerts.Add((alert, expression));
            alert = null;
        }
        return alerts;
    }

    [GeneratedRegex(@"^\s*-\s*alert:\s*(\S+)")]
    private static partial Regex AlertLine();

    [GeneratedRegex(@"^(\s*)expr:\s*(.*)$")]
    private static partial Regex ExprLine();
}
