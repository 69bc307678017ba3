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

    // Distinct customers per channel from the distinct (channel, customer) pairs: a hash aggregate, where
    // count(DISTINCT …) sorted every row of the run (10 M rows: 9.1 s -> 5.4 s). count(customer_id) skips the null
    // (anonymous) pair as count(DISTINCT) does, and a channel of anonymous rows only still gets its 0.
    public const string ChannelPerformance = """
        WITH agg AS (
            SELECT f.sales_channel AS channel,
                   count(*) AS transactions,
                   sum(f.quantity) AS units_sold,
                   sum(f.total_price) AS net_revenue,
                   coalesce(sum(f.total_price) FILTER (WHERE f.quantity > 0), 0) AS gross_revenue,
                   count(*) FILTER (WHERE f.quantity > 0) AS sale_rows
            FROM fact_sales f
            WHERE f.run_id = @run
            GROUP BY f.sales_channel),
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

    // Grouped by the month as a timestamp and formatted once per group, not once per row (10 M rows: 1.9 s -> 1.4 s).
    public const string ChannelMonthly = """
        INSERT INTO channel_monthly (run_id, channel, month, transactions, net_revenue)
        SELECT @run, m.sales_channel, to_char(m.month, 'YYYY-MM'), m.transactions, m.net_revenue
        FROM (
            SELECT f.sales_channel, date_trunc('month', f.sale_date AT TIME ZONE 'UTC') AS month, count(*) AS transactions, sum(f.total_price) AS net_revenue
            FROM fact_sales f
            WHERE f.run_id = @run
            GROUP BY f.sales_channel, date_trunc('month', f.sale_date AT TIME ZONE 'UTC')) m;
        """;

    // Inserted in key order: the hash aggregate's output order made every primary-key insert land on a random leaf.
    // Sorting the customers first (a byte-wise sort, abbreviated keys) costs less than it saves
    // (psql, 10 M facts, 2 M customers: 15.5 s -> 11.2 s). For the key order, COLLATE "C" is the same as C.UTF-8's.
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
                    THEN etl_div(extract(epoch FROM a.last_purchase - a.first_purchase), 86400 * (a.purchases - 1), 6) END,
               CASE WHEN a.purchases = 0 THEN 'returns_only'
                    WHEN a.purchases = 1 THEN 'one_time'
                    WHEN a.purchases <= 4 THEN 'occasional'
                    ELSE 'frequent' END
        FROM agg a
        ORDER BY a.customer_id COLLATE "C";
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

    public const string InventoryValuation = $"""
        WITH {Snapshot},
        sold AS (
            SELECT f.product_id, sum(f.quantity) AS units_sold
            FROM fact_sales f
            WHERE f.run_id = @run
            GROUP BY f.product_id)
        INSERT INTO inventory_valuation (run_id, product_id, product_name, category, manufacturer, stock_quantity, base_price,
                                         stock_value, units_sold, sell_through)
        SELECT @run, p.product_id, p.product_name, p.category, p.manufacturer, p.stock_quantity, p.base_price,
               p.stock_quantity * p.base_price, coalesce(s.units_sold, 0),
               etl_div(coalesce(s.units_sold, 0), coalesce(s.units_sold, 0) + p.stock_quantity, 6)
        FROM snap p
        LEFT JOIN sold s ON s.product_id = p.product_id
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
    /// The statements in two lanes that share no table they write, each lane in order: the customers' tables (the
    /// longest statement: 2 M customers at 10 M rows) and all the others, about as long together. <c>RunFinalizer</c>
    /// runs the lanes side by side, on two connections: PostgreSQL 15 runs none of these statements with parallel
    /// workers (an INSERT … SELECT never), so one lane would leave a core idle.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<FinalizationStep>> Lanes { get; } =
    [
        [
            new(FinalizationSteps.CustomerFrequency, CustomerFrequency),
            new(FinalizationSteps.CustomerSegments, CustomerSegments),
        ],
        [
            new(FinalizationSteps.ProductRevenue, ProductRevenue),
            new(FinalizationSteps.ChannelPerformance, ChannelPerformance),
            new(FinalizationSteps.ChannelMonthly, ChannelMonthly),
            new(FinalizationSteps.InventoryValuation, InventoryValuation),
            new(FinalizationSteps.InventoryByCategory, InventoryByCategory),
            new(FinalizationSteps.InventoryByManufacturer, InventoryByManufacturer),
        ],
    ];

    /// <summary>The facts the quality expectations judge, in one row; the accepted facts are read in one pass.</summary>
    public static readonly string QualityFacts = $"""
        SELECT
            (SELECT coalesce(sum(row_count), 0) FROM staged_chunks WHERE run_id = @run) AS rows_read,
            f.rows_accepted,
            (SELECT count(*) FROM rejected_rows WHERE run_id = @run) AS rows_rejected,
            (SELECT count(*) FROM duplicate_rows WHERE run_id = @run) AS duplicates,
            f.unknown_product_rows,
            f.null_required,
            f.fact_net,
            (SELECT coalesce(sum(net_revenue), 0) FROM product_revenue WHERE run_id = @run) AS product_net,
            (SELECT coalesce(sum(net_revenue), 0) FROM channel_performance WHERE run_id = @run) AS channel_net
        FROM (
            SELECT count(*) AS rows_accepted,
                   count(*) FILTER (WHERE flags & {(int)SaleFlags.UnknownProduct} <> 0) AS unknown_product_rows,
                   count(*) FILTER (WHERE transaction_id IS NULL OR product_id IS NULL OR sale_date IS NULL OR quantity IS NULL
                                          OR total_price IS NULL OR sales_channel IS NULL) AS null_required,
                   coalesce(sum(total_price), 0) AS fact_net
            FROM fact_sales
            WHERE run_id = @run) f;
        """;

    public const string RejectsByReason = "SELECT reason, count(*) FROM rejected_rows WHERE run_id = @run GROUP BY reason ORDER BY reason";

    /// <summary>Accepted rows per flag, one column per value of <see cref="FlaggedValues"/>.</summary>
    public static string FlagCounts =>
        $"SELECT {string.Join(", ", FlaggedValues.Select(flag => $"count(*) FILTER (WHERE flags & {(int)flag} <> 0)"))} FROM fact_sales WHERE run_id = @run";

    public static IReadOnlyList<SaleFlags> FlaggedValues => SaleFlagNames.AllFlags;
}
