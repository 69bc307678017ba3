namespace SalesEtl.EndToEnd.Tests.Distributed;

/// <summary>Compares two export folders table by table, byte for byte, naming the first differing line.</summary>
public static class ExportComparison
{
    public static readonly string[] ExportedTables =
    [
        "product_revenue", "channel_performance", "channel_monthly", "customer_frequency", "customer_segments",
        "inventory_valuation", "inventory_by_category", "inventory_by_manufacturer", "rejects",
    ];

    public static void AssertSameTables(string expectedDir, string actualDir)
    {
        foreach (var table in ExportedTables)
        {
            var expected = File.ReadAllText(Path.Combine(expectedDir, $"{table}.csv"));
            var actual = File.ReadAllText(Path.Combine(actualDir, $"{table}.csv"));
            if (expected == actual)
                continue;
            var expectedLines = expected.Split('\n');
            var actualLines = actual.Split('\n');
            var firstDifference = Enumerable.Range(0, Math.Max(expectedLines.Length, actualLines.Length))
                .First(i => i >= expectedLines.Length || i >= actualLines.Length || expectedLines[i] != actualLines[i]);
            Assert.Fail($"{table}.csv differs at line {firstDifference + 1}:\n expected: {Line(expectedLines, firstDifference)}\n   actual: {Line(actualLines, firstDifference)}\n({expectedLines.Length} expected lines, {actualLines.Length} actual; files in {expectedDir} and {actualDir})");
        }
    }

    static string Line(string[] lines, int index) => index < lines.Length ? lines[index] : "<end of file>";
}
