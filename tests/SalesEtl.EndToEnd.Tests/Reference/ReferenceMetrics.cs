using System.Globalization;
using System.Text;

namespace SalesEtl.EndToEnd.Tests.Reference;

/// <summary>Byte-wise comparison of the UTF-8 encodings (PostgreSQL COLLATE "C"), nulls first.</summary>
public sealed class Utf8Ordinal : IComparer<string?>
{
    public static readonly Utf8Ordinal Instance = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
            return x is null ? (y is null ? 0 : -1) : 1;
        return Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y));
    }
}

/// <summary>The SPEC §3 metrics and the §4 quality counts over one run's accepted rows.</summary>
public static class ReferenceMetrics
{
    private const decimal TicksPerDay = TimeSpan.TicksPerDay;

    public static ReferenceResult Compute(
        DateTimeOffset asOf,
        ProductLoadResult products,
        long rowsRead,
        IReadOnlyList<AcceptedSale> accepted,
        IReadOnlyList<RejectedRow> rejects,
        IReadOnlyList<DuplicateRow> duplicates)
    {
        var runNet = accepted.Sum(s => s.TotalPrice);
        var productRevenue = ProductRevenue(products, accepted, runNet);
        var channelPerformance = ChannelPerformance(accepted, runNet);
        var quality = Quality(rowsRead, accepted, rejects, duplicates, runNet,
            productRevenue.Sum(p => p.NetRevenue), channelPerformance.Sum(c => c.NetRevenue));
        var customers = CustomerFrequency(accepted);
        var inventory = InventoryValuation(products, accepted);

        return new ReferenceResult(
            asOf,
            products,
            accepted,
            [.. rejects.OrderBy(r => r.SourceLine)],
            duplicates,
            quality,
            productRevenue,
            channelPerformance,
            ChannelMonthly(accepted),
            customers,
            CustomerSegments(customers),
            inventory,
            InventoryGroups(inventory, i => i.Category),
            InventoryGroups(inventory, i => i.Manufacturer));
    }

    private static List<ProductRevenueRow> ProductRevenue(ProductLoadResult products, IReadOnlyList<AcceptedSale> accepted, decimal runNet)
    {
        var rows = accepted
            .GroupBy(s => s.ProductId)
            .Select(g =>
            {
                products.Products.TryGetValue(g.Key, out var p);
                var net = g.Sum(s => s.TotalPrice);
                return new ProductRevenueRow(
                    g.Key,
                    p?.ProductName,
                    p?.Category,
                    p?.Manufacturer,
                    g.Count(),
                    g.Sum(s => (long)s.Quantity),
                    g.Where(s => s.Quantity > 0).Sum(s => s.TotalPrice),
                    ReferenceValues.Normalize(-g.Where(s => s.Quantity < 0).Sum(s => s.TotalPrice)),
                    net,
                    ReferenceValues.Ratio(net, runNet),
                    0);
            })
            .ToList();

        var ranked = rows
            .OrderByDescending(r => r.NetRevenue)
            .ThenBy(r => r.ProductId, Utf8Ordinal.Instance)
            .Select((r, i) => r with { Rank = i + 1 });
        return [.. ranked.OrderBy(r => r.ProductId, Utf8Ordinal.Instance)];
    }

    private static List<ChannelPerformanceRow> ChannelPerformance(IReadOnlyList<AcceptedSale> accepted, decimal runNet) =>
        [.. accepted
            .GroupBy(s => s.Channel)
            .Select(g =>
            {
                var net = g.Sum(s => s.TotalPrice);
                var orders = g.Count(s => s.Quantity > 0);
                var gross = g.Where(s => s.Quantity > 0).Sum(s => s.TotalPrice);
                return new ChannelPerformanceRow(
                    g.Key,
                    g.Count(),
                    g.Sum(s => (long)s.Quantity),
                    net,
                    orders == 0 ? null : ReferenceValues.RoundMoney(gross / orders),
                    g.Where(s => s.CustomerId is not null).Select(s => s.CustomerId).Distinct(StringComparer.Ordinal).Count(),
                    ReferenceValues.Ratio(net, runNet));
            })
            .OrderBy(r => r.Channel, Utf8Ordinal.Instance)];

    private static List<ChannelMonthlyRow> ChannelMonthly(IReadOnlyList<AcceptedSale> accepted) =>
        [.. accepted
            .GroupBy(s => (s.Channel, Month: s.SaleDate.ToString("yyyy-MM", CultureInfo.InvariantCulture)))
            .Select(g => new ChannelMonthlyRow(g.Key.Channel, g.Key.Month, g.Count(), g.Sum(s => s.TotalPrice)))
            .OrderBy(r => r.Channel, Utf8Ordinal.Instance)
            .ThenBy(r => r.Month, Utf8Ordinal.Instance)];

    private static List<CustomerFrequencyRow> CustomerFrequency(IReadOnlyList<AcceptedSale> accepted) =>
        [.. accepted
            .Where(s => s.CustomerId is not null)
            .GroupBy(s => s.CustomerId!, StringComparer.Ordinal)
            .Select(g =>
            {
                var purchases = g.Where(s => s.Quantity > 0).ToList();
                DateTime? first = purchases.Count == 0 ? null : purchases.Min(s => s.SaleDate);
                DateTime? last = purchases.Count == 0 ? null : purchases.Max(s => s.SaleDate);
                decimal? avgDays = purchases.Count < 2
                    ? null
                    : ReferenceValues.RoundRatio((last!.Value - first!.Value).Ticks / (TicksPerDay * (purchases.Count - 1)));
                return new CustomerFrequencyRow(
                    g.Key,
                    purchases.Count,
                    g.Count(s => s.Quantity < 0),
                    first,
                    last,
                    g.Sum(s => s.TotalPrice),
                    avgDays,
                    Segment(purchases.Count));
            })
            .OrderBy(r => r.CustomerId, Utf8Ordinal.Instance)];

    private static string Segment(int purchases) => purchases switch
    {
        0 => Segments.ReturnsOnly,
        1 => Segments.OneTime,
        <= 4 => Segments.Occasional,
        _ => Segments.Frequent,
    };

    private static List<CustomerSegmentRow> CustomerSegments(IReadOnlyList<CustomerFrequencyRow> customers) =>
        [.. Segments.All
            .Select(segment => new CustomerSegmentRow(segment, customers.Count(c => c.Segment == segment)))
            .OrderBy(r => r.Segment, Utf8Ordinal.Instance)];

    private static List<InventoryValuationRow> InventoryValuation(ProductLoadResult products, IReadOnlyList<AcceptedSale> accepted)
    {
        var unitsByProduct = accepted
            .GroupBy(s => s.ProductId)
            .ToDictionary(g => g.Key, g => g.Sum(s => (long)s.Quantity), StringComparer.Ordinal);
        return [.. products.Products.Values
            .Where(p => p.StockQuantity is not null)
            .Select(p =>
            {
                var stock = p.StockQuantity!.Value;
                var units = unitsByProduct.GetValueOrDefault(p.ProductId);
                return new InventoryValuationRow(
                    p.ProductId,
                    p.ProductName,
                    p.Category,
                    p.Manufacturer,
                    stock,
                    p.BasePrice,
                    stock * p.BasePrice,
                    units,
                    ReferenceValues.Ratio(units, units + stock));
            })
            .OrderBy(r => r.ProductId, Utf8Ordinal.Instance)];
    }

    private static List<InventoryGroupRow> InventoryGroups(IReadOnlyList<InventoryValuationRow> inventory, Func<InventoryValuationRow, string?> key) =>
        [.. inventory
            // LINQ groups a null key like any other: a null category is a group of its own.
            .GroupBy(key)
            .Select(g =>
            {
                var stock = g.Sum(i => (long)i.StockQuantity);
                var units = g.Sum(i => i.UnitsSold);
                return new InventoryGroupRow(
                    g.Key,
                    g.Count(),
                    stock,
                    g.Sum(i => i.StockValue),
                    units,
                    ReferenceValues.Ratio(units, units + stock));
            })
            .OrderBy(r => r.Key, Utf8Ordinal.Instance)];

    private static ReferenceQuality Quality(
        long rowsRead,
        IReadOnlyList<AcceptedSale> accepted,
        IReadOnlyList<RejectedRow> rejects,
        IReadOnlyList<DuplicateRow> duplicates,
        decimal runNet,
        decimal productTotal,
        decimal channelTotal)
    {
        var byReason = RejectReasons.All.ToDictionary(r => r, r => (long)rejects.Count(x => x.Reason == r), StringComparer.Ordinal);
        var flags = SaleFlagNames.All.ToDictionary(f => f.Name, f => (long)accepted.Count(s => s.Flags.HasFlag(f.Flag)), StringComparer.Ordinal);
        return new ReferenceQuality(
            rowsRead,
            accepted.Count,
            rejects.Count,
            byReason,
            duplicates.Count,
            flags,
            ReferenceValues.Ratio(rejects.Count, rowsRead),
            ReferenceValues.Ratio(flags["unknown_product"], accepted.Count),
            runNet,
            productTotal,
            channelTotal);
    }
}
