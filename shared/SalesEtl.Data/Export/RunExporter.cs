using System.Globalization;
using System.Text;
using Npgsql;

namespace SalesEtl.Data.Export;

/// <summary>
/// Writes a run's results in the export format of SPEC §6: one CSV per metric table with exactly
/// the SPEC's columns, rows sorted by the table's key (byte order, nulls first), money with 2
/// decimals, ratios with 6, timestamps as <c>yyyy-MM-ddTHH:mm:ssZ</c>, null as an empty field;
/// plus <c>rejects.csv</c> and <c>quality_report.json</c>.
/// </summary>
public sealed class RunExporter(NpgsqlDataSource dataSource)
{
    public sealed record Table(string Name, IReadOnlyList<string> Columns, string OrderBy);

    public static IReadOnlyList<Table> Tables { get; } =
    [
        new("product_revenue", ["product_id", "product_name", "category", "manufacturer", "transactions", "units_sold", "gross_revenue", "returns_value", "net_revenue", "revenue_share", "rank"], "product_id"),
        new("channel_performance", ["channel", "transactions", "units_sold", "net_revenue", "avg_order_value", "distinct_customers", "revenue_share"], "channel"),
        new("channel_monthly", ["channel", "month", "transactions", "net_revenue"], "channel, month"),
        new("customer_frequency", ["customer_id", "purchases", "returns", "first_purchase", "last_purchase", "total_spent", "avg_days_between_purchases", "segment"], "customer_id"),
        new("customer_segments", ["segment", "customers"], "segment"),
        new("inventory_valuation", ["product_id", "product_name", "category", "manufacturer", "stock_quantity", "base_price", "stock_value", "units_sold", "sell_through"], "product_id"),
        new("inventory_by_category", ["category", "products", "stock_quantity", "stock_value", "units_sold", "sell_through"], "category"),
        new("inventory_by_manufacturer", ["manufacturer", "products", "stock_quantity", "stock_value", "units_sold", "sell_through"], "manufacturer"),
        new("rejects", ["source_line", "reason", "raw_text"], "source_line"),
    ];

    static readonly HashSet<string> MoneyColumns = ["gross_revenue", "returns_value", "net_revenue", "avg_order_value", "total_spent", "base_price", "stock_value"];
    static readonly HashSet<string> RatioColumns = ["revenue_share", "sell_through", "avg_days_between_purchases"];

    /// <summary>Writes every file into <paramref name="outDir"/>; returns the paths written.</summary>
    public async Task<IReadOnlyList<string>> ExportAsync(Guid runId, string outDir, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outDir);
        var written = new List<string>();
        foreach (var table in Tables)
        {
            var path = Path.Combine(outDir, $"{table.Name}.csv");
            await File.WriteAllTextAsync(path, await RenderAsync(runId, table, cancellationToken), new UTF8Encoding(false), cancellationToken);
            written.Add(path);
        }

        var reportPath = Path.Combine(outDir, "quality_report.json");
        await File.WriteAllTextAsync(reportPath, await QualityReportJsonAsync(runId, cancellationToken) ?? "{}", new UTF8Encoding(false), cancellationToken);
        written.Add(reportPath);
        return written;
    }

    public async Task<string?> QualityReportJsonAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT jsonb_pretty(report_json) FROM quality_reports WHERE run_id = @run");
        command.Parameters.AddWithValue("run", runId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    async Task<string> RenderAsync(Guid runId, Table table, CancellationToken cancellationToken)
    {
        var source = table.Name == "rejected_rows" || table.Name == "rejects" ? "rejected_rows" : table.Name;
        var order = string.Join(", ", table.OrderBy.Split(", ").Select(column => column == "source_line" ? column : $"{column} COLLATE \"C\" NULLS FIRST"));
        var sql = $"SELECT {string.Join(", ", table.Columns)} FROM {source} WHERE run_id = @run ORDER BY {order}";

        var csv = new StringBuilder();
        csv.Append(string.Join(',', table.Columns)).Append('\n');
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("run", runId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            for (var i = 0; i < table.Columns.Count; i++)
            {
                if (i > 0)
                    csv.Append(',');
                csv.Append(Format(table.Columns[i], reader.IsDBNull(i) ? null : reader.GetValue(i)));
            }
            csv.Append('\n');
        }
        return csv.ToString();
    }

    static string Format(string column, object? value) => value switch
    {
        null => "",
        decimal money when MoneyColumns.Contains(column) => money.ToString("0.00", CultureInfo.InvariantCulture),
        decimal ratio when RatioColumns.Contains(column) => ratio.ToString("0.000000", CultureInfo.InvariantCulture),
        decimal number => number.ToString(CultureInfo.InvariantCulture),
        DateTime timestamp => timestamp.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        DateTimeOffset timestamp => timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        string text => Quote(text),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => Quote(value.ToString() ?? ""),
    };

    static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
}
