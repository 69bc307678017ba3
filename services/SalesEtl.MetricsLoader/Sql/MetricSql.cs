using SalesEtl.Data.Quality;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.MetricsLoader.Sql;

/// <summary>
/// The metric tables of SPEC §3, each one set-based statement over the run's accepted facts.
/// Ratios go through <c>etl_div</c> (exact, half away from zero); money sums are exact numeric.
/// </summary>
static class MetricSql
{
    const string Snapshot = $"""
        snap AS (
            SELECT v.product_id, v.product_name, v.category, v.manufacturer, v.base_price, v.stock_quantity
            FROM product_versions v
            WHERE {SalesEtl.Data.Products.SnapshotPrices.MembershipCondition})
        """;

    public const string Clear = """
        DELETE FROM product_revenue WHERE run_id = @run;
        DELETE FROM channel_performance WHERE run_id = @run;
        DELETE FROM channel_monthly WHERE run_id = @run;
        DELETE FROM customer_frequency WHERE run_id = @run;
        DELETE FROM customer_segments WHERE run_id = @run;
        DELETE FROM inventory_valuation WHERE run_id = @run;
        DELETE FROM inventory_by_category WHERE run_id = @run;
        DELETE FROM inventory_by_manufacturer WHERE run_id = @run;
        """;

    public const string ProductRevenue = $"""
        WITH {Snapshot},
        agg AS (
            SELECT f.product_id,
                   count(*) AS transactions,
                   sum(f.quantity) AS units_sold,
                   coalesce(sum(f.total_price) FILTER (WHERE f.quantity > 0), 0) AS gross_revenue,
                   coalesce(-sum(f.total_price) FILTER (WHERE f.quantity < 0), 0) AS returns_value,
                   sum(f.total_price) AS net_revenue
            FROM fact_sales f
            WHERE f.run_id = @run
            GROUP BY f.product_id),
        total AS (SELECT sum(net_revenue) AS net FROM agg)
        INSERT INTO product_revenue (run_id, product_id, product_name, category, manufacturer, transactions, units_sold,
                                     gross_revenue, returns_value, net_revenue, revenue_share, rank)
        SELECT @run, a.product_id, p.product_name, p.category, p.manufacturer, a.transactions, a.units_sold,
               a.gross_revenue, a.returns_value, a.net_revenue, etl_div(a.net_revenue, t.net, 6),
               row_number() OVER (ORDER BY a.net_revenue DESC, a.product_id COLLATE "C")
        FROM agg a
        CROSS JOIN total t
        LEFT JOIN snap p ON p.product_id = a.product_id;
        """;

    /// <summary>
    /// The run's facts by channel and month in one scan, into a temporary table of the finalizer's session: the rows of
    /// <c>channel_monthly</c>, the channel totals of <c>channel_performance</c>, and the counts of the quality report
    /// (accepted rows, flags, nulls, net revenue), where each of those scanned the run's facts again (10 M rows: four
    /// scans, about 2 s each). Grouped by the month as a timestamp and formatted once per group, not once per row.
    /// </summary>
    public static readonly string ChannelMonths = $"""
        {DropChannelMonths};
        CREATE TEMPORARY TABLE {ChannelMonthsTable} AS
        SELECT f.sales_channel AS channel,
               date_trunc('month', f.sale_date AT TIME ZONE 'UTC') AS month,
               count(*) AS transactions,
               sum(f.quantity) AS units_sold,
               sum(f.total_price) AS net_revenue,
               coalesce(sum(f.total_price) FILTER (WHERE f.quantity > 0), 0) AS gross_revenue,
               count(*) FILTER (WHERE f.quantity > 0) AS sale_rows,
               count(*) FILTER (WHERE f.transaction_id IS NULL OR f.product_id IS NULL OR f.sale_date IS NULL OR f.quantity IS NULL
                                      OR f.total_price IS NULL OR f.sales_channel IS NULL) AS null_required,
               {string.Join(",\n               ", FlaggedValues.Select(flag => $"count(*) FILTER (WHERE f.flags & {(int)flag} <> 0) AS {FlagColumn(flag)}"))}
        FROM fact_sales f
        WHERE f.run_id = @run
        GROUP BY f.sales_channel, date_trunc('month', f.sale_date AT TIME ZONE 'UTC');
        """;

    /// <summary>The temporary table of <see cref="ChannelMonths"/>; <c>RunFinalizer</c> drops it after the report.</summary>
    public const string ChannelMonthsTable = "run_channel_months";

    public const string DropChannelMonths = $"DROP TABLE IF EXISTS pg_temp.{ChannelMonthsTable}";

    static string FlagColumn(SaleFlags flag) => $"flag_{SaleFlagNames.GetName(flag)}";

    // Distinct customers per channel from the distinct (channel, customer) pairs: a hash aggregate, where
    // count(DISTINCT …) sorted every row of the run (10 M rows: 9.1 s -> 5.4 s). count(customer_id) skips the null
    // (anonymous) pair as count(DISTINCT) does, and a channel of anonymous rows only still gets its 0. The customers'
    // own lane could mark each customer's channels instead (a bit per channel), but that costs its longer lane 2 s
    // (10 M rows) where this lane has the time.
    public static readonly string ChannelPerformance = $"""
        WITH agg AS (
            SELECT m.channel,
                   sum(m.transactions) AS transactions,
                   sum(m.units_sold) AS units_sold,
                   sum(m.net_revenue) AS net_revenue,
                   sum(m.gross_revenue) AS gross_revenue,
                   sum(m.sale_rows) AS sale_rows
            FROM pg_temp.{ChannelMonthsTable} m
            GROUP BY m.channel),
        customers AS (
            SELECT d.sales_channel AS channel, count(d.customer_id) AS distinct_customers
            FROM (SELECT DISTINCT f.sales_channel, f.customer_id FROM fact_sales f WHERE f.run_id = @run) d
            GROUP BY d.sales_channel),
        total AS (SELECT sum(net_revenue) AS net FROM agg)
        INSERT INTO channel_performance (run_id, channel, transactions, units_sold, net_revenue, avg_order_value, distinct_customers, revenue_share)
        SELECT @run, a.channel, a.transactions, a.units_sold, a.net_revenue, etl_div(a.gross_revenue, a.sale_rows, 2),
               c.distinct_customers, etl_div(a.net_revenue, t.net, 6)
        FROM agg a JOIN customers c ON c.channel = a.channel CROSS JOIN total t;
        """;

    public static readonly string ChannelMonthly = $"""
        INSERT INTO channel_monthly (run_id, channel, month, transactions, net_revenue)
        SELECT @run, m.channel, to_char(m.month, 'YYYY-MM'), m.transactions, m.net_revenue
        FROM pg_temp.{ChannelMonthsTable} m;
        """;

    // One hash aggregate of the run's facts by customer, inserted as it comes. customer_frequency is indexed by run only
    // (migration CustomerFrequencyByRun): its primary key on (run, customer) cost a sort of the 2 M customers into key
    // order and the key inserts (psql, 10 M facts: 13.0-13.9 s -> 8.7 s with the average below); GROUP BY already makes
    // each customer one row. The average gap is exact in integers: the microseconds between the first and the last
    // purchase over 86,400 × (purchases − 1) is the value in millionths of a day, rounded half up by (2n + d) / 2d
    // (the gap is never negative), the same numbers etl_div gave on every one of 2 M customers at a fifth of its cost.
    public const string CustomerFrequency = """
        WITH agg AS (
            SELECT f.customer_id,
                   count(*) FILTER (WHERE f.quantity > 0) AS purchases,
                   count(*) FILTER (WHERE f.quantity < 0) AS returns,
                   min(f.sale_date) FILTER (WHERE f.quantity > 0) AS first_purchase,
                   max(f.sale_date) FILTER (WHERE f.quantity > 0) AS last_purchase,
                   sum(f.total_price) AS total_spent
            FROM fact_sales f
            WHERE f.run_id = @run AND f.customer_id IS NOT NULL
            GROUP BY f.customer_id)
        INSERT INTO customer_frequency (run_id, customer_id, purchases, returns, first_purchase, last_purchase, total_spent,
                                        avg_days_between_purchases, segment)
        SELECT @run, a.customer_id, a.purchases, a.returns, a.first_purchase, a.last_purchase, a.total_spent,
               CASE WHEN a.purchases >= 2
                    THEN ((2 * (extract(epoch FROM a.last_purchase - a.first_purchase) * 1000000)::bigint + 86400 * (a.purchases - 1))
                          / (2 * 86400 * (a.purchases - 1)))::numeric * 0.000001 END,
               CASE WHEN a.purchases = 0 THEN 'returns_only'
                    WHEN a.purchases = 1 THEN 'one_time'
                    WHEN a.purchases <= 4 THEN 'occasional'
                    ELSE 'frequent' END
        FROM agg a;
        """;

    // Counted in one pass over the run's customers, then joined to the four segments (a join per segment scanned
    // them four times: 10 M rows, 2 M customers: 5.8 s -> 3.4 s).
    public const string CustomerSegments = """
        INSERT INTO customer_segments (run_id, segment, customers)
        SELECT @run, s.segment, coalesce(c.customers, 0)
        FROM (VALUES ('one_time'), ('occasional'), ('frequent'), ('returns_only')) AS s(segment)
        LEFT JOIN (SELECT segment, count(*) AS customers FROM customer_frequency WHERE run_id = @run GROUP BY segment) c
               ON c.segment = s.segment;
        """;

    // Units sold per product from the run's product_revenue (written before it in the same lane), not another scan of
    // the run's facts (10 M rows: 1.1 s).
    public const string InventoryValuation = $"""
        WITH {Snapshot}
        INSERT INTO inventory_valuation (run_id, product_id, product_name, category, manufacturer, stock_quantity, base_price,
                                         stock_value, units_sold, sell_through)
        SELECT @run, p.product_id, p.product_name, p.category, p.manufacturer, p.stock_quantity, p.base_price,
               p.stock_quantity * p.base_price, coalesce(s.units_sold, 0),
               etl_div(coalesce(s.units_sold, 0), coalesce(s.units_sold, 0) + p.stock_quantity, 6)
        FROM snap p
        LEFT JOIN product_revenue s ON s.run_id = @run AND s.product_id = p.product_id
        WHERE p.stock_quantity IS NOT NULL;
        """;

    public const string InventoryByCategory = """
        INSERT INTO inventory_by_category (run_id, category, products, stock_quantity, stock_value, units_sold, sell_through)
        SELECT @run, i.category, count(*), sum(i.stock_quantity), sum(i.stock_value), sum(i.units_sold),
               etl_div(sum(i.units_sold), sum(i.units_sold) + sum(i.stock_quantity), 6)
        FROM inventory_valuation i
        WHERE i.run_id = @run
        GROUP BY i.category;
        """;

    public const string InventoryByManufacturer = """
        INSERT INTO inventory_by_manufacturer (run_id, manufacturer, products, stock_quantity, stock_value, units_sold, sell_through)
        SELECT @run, i.manufacturer, count(*), sum(i.stock_quantity), sum(i.stock_value), sum(i.units_sold),
               etl_div(sum(i.units_sold), sum(i.units_sold) + sum(i.stock_quantity), 6)
        FROM inventory_valuation i
        WHERE i.run_id = @run
        GROUP BY i.manufacturer;
        """;

    /// <summary>
    /// The customers' tables, on a connection of their own: the longest statement (2 M customers at 10 M rows).
    /// <c>RunFinalizer</c> runs it beside <see cref="RunLane"/>: PostgreSQL 15 runs none of these statements with
    /// parallel workers (an INSERT … SELECT never), so one lane would leave a core idle.
    /// </summary>
    public static IReadOnlyList<FinalizationStep> CustomerLane { get; } =
    [
        new(FinalizationSteps.CustomerFrequency, CustomerFrequency),
        new(FinalizationSteps.CustomerSegments, CustomerSegments),
    ];

    /// <summary>
    /// All the other tables, in this order, on the finalizer's own connection: <see cref="ChannelMonths"/> leaves its
    /// temporary table there for the quality report, and <see cref="InventoryValuation"/> reads
    /// <see cref="ProductRevenue"/>. About as long as <see cref="CustomerLane"/>.
    /// </summary>
    public static IReadOnlyList<FinalizationStep> RunLane { get; } =
    [
        new(FinalizationSteps.ProductRevenue, ProductRevenue),
        new(FinalizationSteps.ChannelMonths, ChannelMonths),
        new(FinalizationSteps.ChannelPerformance, ChannelPerformance),
        new(FinalizationSteps.ChannelMonthly, ChannelMonthly),
        new(FinalizationSteps.InventoryValuation, InventoryValuation),
        new(FinalizationSteps.InventoryByCategory, InventoryByCategory),
        new(FinalizationSteps.InventoryByManufacturer, InventoryByManufacturer),
    ];

    /// <summary>
    /// The facts the quality expectations judge, in one row, from <see cref="ChannelMonths"/>'s table: the run's
    /// facts are not scanned again. The product reconciliation stays independent of it (<c>product_revenue</c> is its
    /// own aggregate of the facts); the channel one now checks that no channel was lost on the way into
    /// <c>channel_performance</c>.
    /// </summary>
    public static readonly string QualityFacts = $"""
        SELECT
            (SELECT coalesce(sum(row_count), 0) FROM staged_chunks WHERE run_id = @run) AS rows_read,
            coalesce(sum(m.transactions), 0)::bigint AS rows_accepted,
            (SELECT count(*) FROM rejected_rows WHERE run_id = @run) AS rows_rejected,
            (SELECT count(*) FROM duplicate_rows WHERE run_id = @run) AS duplicates,
            coalesce(sum(m.{FlagColumn(SaleFlags.UnknownProduct)}), 0)::bigint AS unknown_product_rows,
            coalesce(sum(m.null_required), 0)::bigint AS null_required,
            coalesce(sum(m.net_revenue), 0) AS fact_net,
            (SELECT coalesce(sum(net_revenue), 0) FROM product_revenue WHERE run_id = @run) AS product_net,
            (SELECT coalesce(sum(net_revenue), 0) FROM channel_performance WHERE run_id = @run) AS channel_net
        FROM pg_temp.{ChannelMonthsTable} m;
        """;

    public const string RejectsByReason = "SELECT reason, count(*) FROM rejected_rows WHERE run_id = @run GROUP BY reason ORDER BY reason";

    /// <summary>Accepted rows per flag, one column per value of <see cref="FlaggedValues"/>.</summary>
    public static string FlagCounts =>
        $"SELECT {string.Join(", ", FlaggedValues.Select(flag => $"coalesce(sum({FlagColumn(flag)}), 0)::bigint"))} FROM pg_temp.{ChannelMonthsTable}";

    public static IReadOnlyList<SaleFlags> FlaggedValues => SaleFlagNames.AllFlags;
}
