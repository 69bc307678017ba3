using SalesEtl.Data.Quality;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.MetricsLoader.Sql;

/// <summary>
/// The statements that write the metric tables of SPEC §3. The big sums (per product, channel and month, and per
/// customer) come from one streamed read of the run's facts (<c>FactReading</c>) rather than a scan per table: they
/// arrive here as arrays or binary COPY; the product-side tables (inventory) stay one set-based statement each.
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

    /// <summary>The per-product sums of the run's facts (<c>FactReading</c>), as arrays, into a temporary table of the session.</summary>
    public static readonly string ProductTotals = $"""
        DROP TABLE IF EXISTS pg_temp.{ProductTotalsTable};
        CREATE TEMPORARY TABLE {ProductTotalsTable} AS
        SELECT * FROM unnest(@product_ids::text[], @transactions::bigint[], @units_sold::bigint[], @gross_revenue::numeric[],
                             @returns_value::numeric[], @net_revenue::numeric[])
            AS t(product_id, transactions, units_sold, gross_revenue, returns_value, net_revenue);
        """;

    public const string ProductTotalsTable = "run_product_totals";

    public static readonly string ProductRevenue = $"""
        WITH {Snapshot},
        agg AS (SELECT * FROM pg_temp.{ProductTotalsTable}),
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
    /// The run's facts by channel and month (<c>FactReading</c>), as arrays, into a temporary table of the finalizer's
    /// session: the rows of <c>channel_monthly</c>, the channel totals of <c>channel_performance</c>, and the counts of the
    /// quality report (accepted rows, flags, nulls, net revenue). The month is a timestamp without time zone (the first
    /// instant of the month in UTC), formatted once per row of <c>channel_monthly</c>.
    /// </summary>
    public static readonly string ChannelMonths = $"""
        {DropChannelMonths};
        CREATE TEMPORARY TABLE {ChannelMonthsTable} AS
        SELECT * FROM unnest(@channels::text[], @months::timestamp[], @transactions::bigint[], @units_sold::bigint[], @net_revenue::numeric[],
                             @gross_revenue::numeric[], @sale_rows::bigint[], @null_required::bigint[],
                             {string.Join(", ", FlaggedValues.Select(flag => $"@{FlagColumn(flag)}::bigint[]"))})
            AS t(channel, month, transactions, units_sold, net_revenue, gross_revenue, sale_rows, null_required,
                 {string.Join(", ", FlaggedValues.Select(FlagColumn))});
        """;

    /// <summary>The temporary table of <see cref="ChannelMonths"/>; <c>RunFinalizer</c> drops it after the report.</summary>
    public const string ChannelMonthsTable = "run_channel_months";

    public const string DropChannelMonths = $"DROP TABLE IF EXISTS pg_temp.{ChannelMonthsTable}";

    /// <summary>The finalizer's temporary tables, dropped after the report (a pooled session outlives the run).</summary>
    public const string DropTemporaryTables = $"{DropChannelMonths}; DROP TABLE IF EXISTS pg_temp.{ProductTotalsTable}";

    public static string FlagColumn(SaleFlags flag) => $"flag_{SaleFlagNames.GetName(flag)}";

    /// <summary>
    /// Totals from <see cref="ChannelMonths"/>' table; the distinct customers per channel come from the customers' pass
    /// (a bit per channel of each customer: every channel of the run has its count, 0 for a channel of anonymous rows only).
    /// </summary>
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
        customers AS (SELECT * FROM unnest(@customer_channels::text[], @distinct_customers::bigint[]) AS c(channel, distinct_customers)),
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

    /// <summary>The run's customers, in the binary COPY format (<c>CustomerFrequencyCopy</c>), in this column order.</summary>
    public const string CustomerFrequencyCopy = """
        COPY customer_frequency (run_id, customer_id, purchases, returns, first_purchase, last_purchase, total_spent,
                                 avg_days_between_purchases, segment) FROM STDIN (FORMAT BINARY)
        """;

    /// <summary>The four segments' counts from the customers' pass, every segment listed (SPEC §3).</summary>
    public const string CustomerSegments = """
        INSERT INTO customer_segments (run_id, segment, customers)
        SELECT @run, s.segment, s.customers FROM unnest(@segments::text[], @customers::bigint[]) AS s(segment, customers);
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

    /// <summary>The rows the ingestor read for the run: the records of its staged chunks.</summary>
    public const string RowsRead = "SELECT coalesce(sum(row_count), 0)::bigint FROM staged_chunks WHERE run_id = @run";

    /// <summary>
    /// The facts the quality expectations judge, in one row, from <see cref="ChannelMonths"/>'s table: the run's
    /// facts are not scanned again. The product reconciliation stays independent of it (<c>product_revenue</c> is its
    /// own aggregate of the facts); the channel one now checks that no channel was lost on the way into
    /// <c>channel_performance</c>.
    /// </summary>
    public static readonly string QualityFacts = $"""
        SELECT
            ({RowsRead}) AS rows_read,
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
