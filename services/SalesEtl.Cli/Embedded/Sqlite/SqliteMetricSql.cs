using SalesEtl.Data.Quality;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Cli.Embedded.Sqlite;

/// <summary>
/// services/SalesEtl.MetricsLoader/Sql (duplicate resolution and the metric tables of SPEC §3) in SQLite's dialect:
/// the same window functions, FILTER clauses and <c>etl_div</c>, over integer cents and microseconds. <c>etl_div</c>
/// returns an integer in units of 10^-places, so <c>etl_div(cents, n, 0)</c> is cents and <c>etl_div(a, b, 6)</c> millionths.
/// SQLite's BINARY collation is PostgreSQL's <c>COLLATE "C"</c>; windows and GROUP BY treat NULLs as equal in both.
/// </summary>
static class SqliteMetricSql
{
    const string Snapshot = """
        snap AS (
            SELECT v.product_id, v.product_name, v.category, v.manufacturer, v.base_price, v.stock_quantity
            FROM product_versions v
            WHERE v.valid_from_snapshot <= @snapshot AND (v.valid_to_snapshot IS NULL OR v.valid_to_snapshot > @snapshot))
        """;

    public const string Clear = """
        DELETE FROM fact_sales WHERE run_id = @run;
        DELETE FROM duplicate_rows WHERE run_id = @run;
        DELETE FROM rejected_rows WHERE run_id = @run AND reason = 'duplicate_conflict';
        DELETE FROM product_revenue WHERE run_id = @run;
        DELETE FROM channel_performance WHERE run_id = @run;
        DELETE FROM channel_monthly WHERE run_id = @run;
        DELETE FROM customer_frequency WHERE run_id = @run;
        DELETE FROM customer_segments WHERE run_id = @run;
        DELETE FROM inventory_valuation WHERE run_id = @run;
        DELETE FROM inventory_by_category WHERE run_id = @run;
        DELETE FROM inventory_by_manufacturer WHERE run_id = @run;
        """;

    public const string PurgeRun = """
        DELETE FROM staged_sales WHERE run_id = @run;
        DELETE FROM transformed_sales WHERE run_id = @run;
        DELETE FROM rejected_rows WHERE run_id = @run;
        DELETE FROM quality_reports WHERE run_id = @run;
        """;

    public const string ResolveDuplicates = """
        DROP TABLE IF EXISTS temp.ranked_sales;
        CREATE TEMP TABLE ranked_sales AS
        SELECT t.*,
               min(t.source_line) OVER (PARTITION BY t.transaction_id) AS first_of_id,
               min(t.source_line) OVER (PARTITION BY t.transaction_id, t.customer_id, t.product_id, t.sale_date,
                                                     t.quantity, t.total_price, t.sales_channel) AS first_of_content
        FROM transformed_sales t
        WHERE t.run_id = @run;

        INSERT INTO fact_sales (run_id, source_line, transaction_id, customer_id, product_id, sale_date, quantity, total_price, sales_channel, flags, snapshot_id)
        SELECT run_id, source_line, transaction_id, customer_id, product_id, sale_date, quantity, total_price, sales_channel, flags, @snapshot
        FROM ranked_sales WHERE source_line = first_of_id;

        INSERT INTO duplicate_rows (run_id, source_line, duplicate_of, transaction_id)
        SELECT run_id, source_line, first_of_content, transaction_id
        FROM ranked_sales WHERE source_line <> first_of_content;

        INSERT INTO rejected_rows (run_id, chunk_no, source_line, reason, raw_text)
        SELECT r.run_id, r.chunk_no, r.source_line, 'duplicate_conflict', s.raw_text
        FROM ranked_sales r
        JOIN staged_sales s ON s.run_id = r.run_id AND s.chunk_no = r.chunk_no AND s.source_line = r.source_line
        WHERE r.source_line = r.first_of_content AND r.source_line <> r.first_of_id;

        DROP TABLE temp.ranked_sales;
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
               row_number() OVER (ORDER BY a.net_revenue DESC, a.product_id COLLATE BINARY)
        FROM agg a
        CROSS JOIN total t
        LEFT JOIN snap p ON p.product_id = a.product_id;
        """;

    public const string ChannelPerformance = """
        WITH agg AS (
            SELECT f.sales_channel AS channel,
                   count(*) AS transactions,
                   sum(f.quantity) AS units_sold,
                   sum(f.total_price) AS net_revenue,
                   coalesce(sum(f.total_price) FILTER (WHERE f.quantity > 0), 0) AS gross_revenue,
                   count(*) FILTER (WHERE f.quantity > 0) AS sale_rows,
                   count(DISTINCT f.customer_id) AS distinct_customers
            FROM fact_sales f
            WHERE f.run_id = @run
            GROUP BY f.sales_channel),
        total AS (SELECT sum(net_revenue) AS net FROM agg)
        INSERT INTO channel_performance (run_id, channel, transactions, units_sold, net_revenue, avg_order_value, distinct_customers, revenue_share)
        SELECT @run, a.channel, a.transactions, a.units_sold, a.net_revenue, etl_div(a.gross_revenue, a.sale_rows, 0),
               a.distinct_customers, etl_div(a.net_revenue, t.net, 6)
        FROM agg a CROSS JOIN total t;
        """;

    public const string ChannelMonthly = """
        INSERT INTO channel_monthly (run_id, channel, month, transactions, net_revenue)
        SELECT @run, f.sales_channel, etl_month(f.sale_date), count(*), sum(f.total_price)
        FROM fact_sales f
        WHERE f.run_id = @run
        GROUP BY f.sales_channel, etl_month(f.sale_date);
        """;

    public static readonly string CustomerFrequency = $"""
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
                    THEN etl_div(a.last_purchase - a.first_purchase, {SqliteValues.MicrosPerDay} * (a.purchases - 1), 6) END,
               CASE WHEN a.purchases = 0 THEN 'returns_only'
                    WHEN a.purchases = 1 THEN 'one_time'
                    WHEN a.purchases <= 4 THEN 'occasional'
                    ELSE 'frequent' END
        FROM agg a;
        """;

    public const string CustomerSegments = """
        INSERT INTO customer_segments (run_id, segment, customers)
        SELECT @run, s.segment, count(c.customer_id)
        FROM (SELECT 'one_time' AS segment UNION ALL SELECT 'occasional' UNION ALL SELECT 'frequent' UNION ALL SELECT 'returns_only') AS s
        LEFT JOIN customer_frequency c ON c.run_id = @run AND c.segment = s.segment
        GROUP BY s.segment;
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

    public static IReadOnlyList<FinalizationStep> InOrder { get; } =
    [
        new(FinalizationSteps.LoadFacts, ResolveDuplicates),
        new(FinalizationSteps.ProductRevenue, ProductRevenue),
        new(FinalizationSteps.ChannelPerformance, ChannelPerformance),
        new(FinalizationSteps.ChannelMonthly, ChannelMonthly),
        new(FinalizationSteps.CustomerFrequency, CustomerFrequency),
        new(FinalizationSteps.CustomerSegments, CustomerSegments),
        new(FinalizationSteps.InventoryValuation, InventoryValuation),
        new(FinalizationSteps.InventoryByCategory, InventoryByCategory),
        new(FinalizationSteps.InventoryByManufacturer, InventoryByManufacturer),
    ];

    /// <summary>The facts the quality expectations judge, in one row (sums in cents).</summary>
    public static readonly string QualityFacts = $"""
        SELECT
            (SELECT count(*) FROM staged_sales WHERE run_id = @run),
            (SELECT count(*) FROM fact_sales WHERE run_id = @run),
            (SELECT count(*) FROM rejected_rows WHERE run_id = @run),
            (SELECT count(*) FROM duplicate_rows WHERE run_id = @run),
            (SELECT count(*) FROM fact_sales WHERE run_id = @run AND (flags & {(int)SaleFlags.UnknownProduct}) <> 0),
            (SELECT count(*) FROM fact_sales WHERE run_id = @run
                AND (transaction_id IS NULL OR product_id IS NULL OR sale_date IS NULL OR quantity IS NULL
                     OR total_price IS NULL OR sales_channel IS NULL)),
            (SELECT coalesce(sum(total_price), 0) FROM fact_sales WHERE run_id = @run),
            (SELECT coalesce(sum(net_revenue), 0) FROM product_revenue WHERE run_id = @run),
            (SELECT coalesce(sum(net_revenue), 0) FROM channel_performance WHERE run_id = @run);
        """;

    public const string RejectsByReason = "SELECT reason, count(*) FROM rejected_rows WHERE run_id = @run GROUP BY reason ORDER BY reason";

    public static string FlagCounts =>
        $"SELECT {string.Join(", ", SaleFlagNames.AllFlags.Select(flag => $"count(*) FILTER (WHERE (flags & {(int)flag}) <> 0)"))} FROM fact_sales WHERE run_id = @run";
}
