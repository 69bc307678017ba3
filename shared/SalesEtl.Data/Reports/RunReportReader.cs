using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace SalesEtl.Data.Reports;

/// <summary>Reads a run's report from <c>batch_runs</c>, <c>quality_reports</c> and the metric tables (a few small queries by run id).</summary>
public sealed class RunReportReader(NpgsqlDataSource dataSource)
{
    public const int DefaultTopProducts = 10;

    /// <summary>The run's report, or null when there is no such run.</summary>
    public async Task<RunReport?> LoadAsync(Guid runId, int topProducts, CancellationToken cancellationToken)
    {
        await using var db = EtlDatabase.CreateContext(dataSource);
        var run = await db.BatchRuns.AsNoTracking().SingleOrDefaultAsync(r => r.CorrelationId == runId, cancellationToken);
        if (run is null)
            return null;
        var quality = await db.QualityReports.AsNoTracking().SingleOrDefaultAsync(q => q.RunId == runId, cancellationToken);

        var products = await PointsAsync(runId, """
            SELECT product_id, coalesce(product_name, product_id), net_revenue FROM product_revenue
            WHERE run_id = @run ORDER BY rank, product_id LIMIT @top
            """, cancellationToken, topProducts);
        var productCount = await ScalarAsync<long>(runId, "SELECT count(*) FROM product_revenue WHERE run_id = @run", cancellationToken);
        var channels = await PointsAsync(runId, "SELECT channel, channel, net_revenue FROM channel_performance WHERE run_id = @run ORDER BY net_revenue DESC, channel", cancellationToken);
        var months = await PointsAsync(runId, "SELECT month, month, sum(net_revenue) FROM channel_monthly WHERE run_id = @run GROUP BY month ORDER BY month", cancellationToken);
        var segments = await PointsAsync(runId, "SELECT segment, replace(segment, '_', ' '), customers FROM customer_segments WHERE run_id = @run ORDER BY segment", cancellationToken);
        var categories = await PointsAsync(runId, """
            SELECT coalesce(category, ''), coalesce(category, '(no category)'), stock_value FROM inventory_by_category
            WHERE run_id = @run ORDER BY stock_value DESC, category NULLS LAST
            """, cancellationToken);
        var inventoryValue = await ScalarAsync<decimal>(runId, "SELECT coalesce(sum(stock_value), 0) FROM inventory_valuation WHERE run_id = @run", cancellationToken);

        return new RunReport(run, quality is null ? null : ParseQuality(quality.Outcome, quality.Reason, quality.ReportJson),
            products, (int)productCount, channels, months, segments, categories, inventoryValue);
    }

    static QualityView ParseQuality(string outcome, string? reason, string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var expectations = root.TryGetProperty("expectations", out var list)
            ? list.EnumerateArray().Select(e => new ExpectationResultView(
                e.GetProperty("name").GetString()!, e.GetProperty("severity").GetString()!, e.GetProperty("passed").GetBoolean(),
                e.GetProperty("observed").GetString() ?? "", e.GetProperty("threshold").GetString() ?? "")).ToList()
            : [];
        return new QualityView(outcome, reason, expectations, Counts(root, "rejected_by_reason"), Counts(root, "flags"));
    }

    static List<ChartPoint> Counts(JsonElement root, string property) =>
        root.TryGetProperty(property, out var counts) && counts.ValueKind == JsonValueKind.Object
            ? counts.EnumerateObject().Select(p => new ChartPoint(p.Name, p.Name.Replace('_', ' '), p.Value.GetInt64()))
                .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToList()
            : [];

    async Task<List<ChartPoint>> PointsAsync(Guid runId, string sql, CancellationToken cancellationToken, int? top = null)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("run", runId);
        if (top is { } limit)
            command.Parameters.AddWithValue("top", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var points = new List<ChartPoint>();
        while (await reader.ReadAsync(cancellationToken))
            points.Add(new ChartPoint(reader.GetString(0), reader.GetString(1), Convert.ToDecimal(reader.GetValue(2), CultureInfo.InvariantCulture)));
        return points;
    }

    async Task<T> ScalarAsync<T>(Guid runId, string sql, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("run", runId);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync(cancellationToken))!, typeof(T), CultureInfo.InvariantCulture);
    }
}
