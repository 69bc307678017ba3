using System.Globalization;
using System.Text;

namespace SalesEtl.EndToEnd.Tests.Reference;

/// <summary>Writes the SPEC §6 export exactly as EXPORT_FORMAT.md describes it.</summary>
public static class ReferenceExport
{
    public static readonly IReadOnlyList<string> FileNames =
    [
        "product_revenue.csv", "channel_performance.csv", "channel_monthly.csv", "customer_frequency.csv",
        "customer_segments.csv", "inventory_valuation.csv", "inventory_by_category.csv",
        "inventory_by_manufacturer.csv", "rejects.csv",
    ];

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static void Write(ReferenceResult r, string outDir)
    {
        Directory.CreateDirectory(outDir);
        foreach (var (name, content) in Render(r))
            File.WriteAllText(Path.Combine(outDir, name), content, Utf8NoBom);
    }

    /// <summary>Every export file's name and exact text.</summary>
    public static IReadOnlyList<(string Name, string Content)> Render(ReferenceResult r) =>
    [
        ("product_revenue.csv", Table(
            ["product_id", "product_name", "category", "manufacturer", "transactions", "units_sold",
             "gross_revenue", "returns_value", "net_revenue", "revenue_share", "rank"],
            r.ProductRevenue.Select(p => new[]
            {
                Text(p.ProductId), Text(p.ProductName), Text(p.Category), Text(p.Manufacturer), Int(p.Transactions),
                Int(p.UnitsSold), Money(p.GrossRevenue), Money(p.ReturnsValue), Money(p.NetRevenue),
                Ratio(p.RevenueShare), Int(p.Rank),
            }))),
        ("channel_performance.csv", Table(
            ["channel", "transactions", "units_sold", "net_revenue", "avg_order_value", "distinct_customers", "revenue_share"],
            r.ChannelPerformance.Select(c => new[]
            {
                Text(c.Channel), Int(c.Transactions), Int(c.UnitsSold), Money(c.NetRevenue), Money(c.AvgOrderValue),
                Int(c.DistinctCustomers), Ratio(c.RevenueShare),
            }))),
        ("channel_monthly.csv", Table(
            ["channel", "month", "transactions", "net_revenue"],
            r.ChannelMonthly.Select(c => new[] { Text(c.Channel), Text(c.Month), Int(c.Transactions), Money(c.NetRevenue) }))),
        ("customer_frequency.csv", Table(
            ["customer_id", "purchases", "returns", "first_purchase", "last_purchase", "total_spent",
             "avg_days_between_purchases", "segment"],
            r.CustomerFrequency.Select(c => new[]
            {
                Text(c.CustomerId), Int(c.Purchases), Int(c.Returns), Timestamp(c.FirstPurchase), Timestamp(c.LastPurchase),
                Money(c.TotalSpent), Ratio(c.AvgDaysBetweenPurchases), Text(c.Segment),
            }))),
        ("customer_segments.csv", Table(
            ["segment", "customers"],
            r.CustomerSegments.Select(s => new[] { Text(s.Segment), Int(s.Customers) }))),
        ("inventory_valuation.csv", Table(
            ["product_id", "product_name", "category", "manufacturer", "stock_quantity", "base_price", "stock_value",
             "units_sold", "sell_through"],
            r.InventoryValuation.Select(i => new[]
            {
                Text(i.ProductId), Text(i.ProductName), Text(i.Category), Text(i.Manufacturer), Int(i.StockQuantity),
                Money(i.BasePrice), Money(i.StockValue), Int(i.UnitsSold), Ratio(i.SellThrough),
            }))),
        ("inventory_by_category.csv", Table(
            ["category", "products", "stock_quantity", "stock_value", "units_sold", "sell_through"],
            r.InventoryByCategory.Select(Group))),
        ("inventory_by_manufacturer.csv", Table(
            ["manufacturer", "products", "stock_quantity", "stock_value", "units_sold", "sell_through"],
            r.InventoryByManufacturer.Select(Group))),
        ("rejects.csv", Table(
            ["source_line", "reason", "raw_text"],
            r.Rejects.OrderBy(x => x.SourceLine).Select(x => new[] { Int(x.SourceLine), Text(x.Reason), Text(x.RawText) }))),
    ];

    private static string[] Group(InventoryGroupRow g) =>
        [Text(g.Key), Int(g.Products), Int(g.StockQuantity), Money(g.StockValue), Int(g.UnitsSold), Ratio(g.SellThrough)];

    /// <summary>Header and rows, each line ended by LF (the last one too).</summary>
    private static string Table(string[] header, IEnumerable<string[]> rows)
    {
        var sb = new StringBuilder();
        sb.Append(string.Join(',', header)).Append('\n');
        foreach (var row in rows)
            sb.Append(string.Join(',', row)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Quoted only when needed: a comma, a quote, CR or LF; quotes doubled.</summary>
    public static string Text(string? value)
    {
        if (value is null)
            return "";
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Money(decimal? value) =>
        value is null ? "" : ReferenceValues.RoundMoney(value.Value).ToString("0.00", CultureInfo.InvariantCulture);

    public static string Ratio(decimal? value) =>
        value is null ? "" : ReferenceValues.RoundRatio(value.Value).ToString("0.000000", CultureInfo.InvariantCulture);

    /// <summary>UTC to the second; a fraction of a second is cut, not rounded.</summary>
    public static string Timestamp(DateTime? value) =>
        value is null ? "" : value.Value.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
