using System.Globalization;
using System.Text;
using SalesEtl.Data.Export;

namespace SalesEtl.Cli.Embedded.Sqlite;

/// <summary>
/// The export of SPEC §6 (<see cref="RunExporter"/>: same tables, columns, order and formats) from the embedded
/// database: cents become 2-decimal money, millionths 6-decimal ratios, microseconds UTC timestamps.
/// </summary>
public sealed class SqliteRunExporter(SqliteEtlStore store)
{
    static readonly HashSet<string> MoneyColumns = ["gross_revenue", "returns_value", "net_revenue", "avg_order_value", "total_spent", "base_price", "stock_value"];
    static readonly HashSet<string> RatioColumns = ["revenue_share", "sell_through", "avg_days_between_purchases"];
    static readonly HashSet<string> TimestampColumns = ["first_purchase", "last_purchase"];

    public async Task<IReadOnlyList<string>> ExportAsync(Guid runId, string outDir, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outDir);
        var written = new List<string>();
        foreach (var table in RunExporter.Tables)
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
        await using var connection = await store.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT report_json FROM quality_reports WHERE run_id = @run";
        command.Parameters.AddWithValue("@run", SqliteValues.Id(runId));
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>Rows of one exported table as the CSV would show them (null as null), for the terminal summary.</summary>
    public async Task<List<string?[]>> RowsAsync(Guid runId, RunExporter.Table table, string? orderBy, int? limit, CancellationToken cancellationToken)
    {
        var source = table.Name == "rejects" ? "rejected_rows" : table.Name;
        var order = orderBy ?? string.Join(", ", table.OrderBy.Split(", ").Select(column => $"{column} COLLATE BINARY NULLS FIRST"));
        var sql = $"SELECT {string.Join(", ", table.Columns)} FROM {source} WHERE run_id = @run ORDER BY {order}{(limit is { } n ? $" LIMIT {n}" : "")}";
        var rows = new List<string?[]>();
        await using var connection = await store.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("@run", SqliteValues.Id(runId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new string?[table.Columns.Count];
            for (var i = 0; i < row.Length; i++)
                row[i] = reader.IsDBNull(i) ? null : Format(table.Columns[i], reader.GetValue(i));
            rows.Add(row);
        }
        return rows;
    }

    async Task<string> RenderAsync(Guid runId, RunExporter.Table table, CancellationToken cancellationToken)
    {
        var csv = new StringBuilder();
        csv.Append(string.Join(',', table.Columns)).Append('\n');
        foreach (var row in await RowsAsync(runId, table, orderBy: null, limit: null, cancellationToken))
            csv.Append(string.Join(',', row.Select(value => value is null ? "" : Quote(value)))).Append('\n');
        return csv.ToString();
    }

    static string Format(string column, object value) => value switch
    {
        long cents when MoneyColumns.Contains(column) => SqliteValues.Money(cents).ToString("0.00", CultureInfo.InvariantCulture),
        long millionths when RatioColumns.Contains(column) => SqliteValues.Scaled(millionths, 6).ToString("0.000000", CultureInfo.InvariantCulture),
        long micros when TimestampColumns.Contains(column) => SqliteValues.FromMicros(micros).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
}
