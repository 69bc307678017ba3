using System.Globalization;
using SalesEtl.Cli.Embedded.Sqlite;
using SalesEtl.Data.Export;

namespace SalesEtl.Cli.Embedded;

/// <summary>The end of an embedded run on the terminal: revenue by channel (table and bar chart), top products, customer segments.</summary>
public static class EmbeddedSummary
{
    const int ChartWidth = 40;

    public static async Task WriteAsync(TextWriter output, SqliteRunExporter exporter, Guid runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(exporter);
        var channels = await exporter.RowsAsync(runId, Table("channel_performance"), "net_revenue DESC, channel", null, cancellationToken);
        if (channels.Count == 0)
            return;

        // channel, transactions, units_sold, net_revenue, avg_order_value, distinct_customers, revenue_share
        output.WriteLine();
        output.WriteLine("Revenue by channel");
        WriteTable(output, ["channel", "transactions", "units", "net revenue", "avg order", "customers", "share"],
            channels.Select(c => new[] { c[0], c[1], c[2], c[3], c[4], c[5], Percent(c[6]) }).ToList());
        output.WriteLine();
        var max = channels.Max(c => Math.Max(0m, Decimal(c[3])));
        var labelWidth = channels.Max(c => c[0]!.Length);
        foreach (var channel in channels)
        {
            var net = Decimal(channel[3]);
            var length = max > 0 && net > 0 ? (int)Math.Round(net / max * ChartWidth) : 0;
            output.WriteLine($"  {channel[0]!.PadRight(labelWidth)} │{new string('█', length)} {channel[3]}");
        }

        // rank, product_id, product_name, net_revenue, revenue_share
        var products = await exporter.RowsAsync(runId, Table("product_revenue"), "rank", 5, cancellationToken);
        output.WriteLine();
        output.WriteLine("Top products");
        WriteTable(output, ["rank", "product", "name", "transactions", "units", "net revenue", "share"],
            products.Select(p => new[] { p[10], p[0], p[1] ?? "(unknown)", p[4], p[5], p[8], Percent(p[9]) }).ToList());

        var segments = await exporter.RowsAsync(runId, Table("customer_segments"), "segment", null, cancellationToken);
        output.WriteLine();
        output.WriteLine("Customer segments");
        WriteTable(output, ["segment", "customers"], segments);
    }

    static RunExporter.Table Table(string name) => RunExporter.Tables.Single(t => t.Name == name);

    static decimal Decimal(string? text) => text is null ? 0 : decimal.Parse(text, CultureInfo.InvariantCulture);

    static string? Percent(string? ratio) => ratio is null ? null : (Decimal(ratio) * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    static void WriteTable(TextWriter output, IReadOnlyList<string> headers, IReadOnlyList<string?[]> rows)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => (r[i] ?? "").Length))).ToArray();
        // Text columns left, numbers right.
        var numeric = headers.Select((_, i) => rows.Count > 0 && rows.All(r => r[i] is null || decimal.TryParse(r[i]!.TrimEnd(' ', '%'), NumberStyles.Number, CultureInfo.InvariantCulture, out decimal _))).ToArray();
        string Cell(string? value, int i) => numeric[i] ? (value ?? "").PadLeft(widths[i]) : (value ?? "").PadRight(widths[i]);
        output.WriteLine("  " + string.Join("  ", headers.Select((h, i) => Cell(h, i))));
        output.WriteLine("  " + string.Join("  ", widths.Select(w => new string('─', w))));
        foreach (var row in rows)
            output.WriteLine("  " + string.Join("  ", row.Select(Cell)));
    }
}
