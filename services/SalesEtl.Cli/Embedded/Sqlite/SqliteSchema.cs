namespace SalesEtl.Cli.Embedded.Sqlite;

/// <summary>
/// The bulk, product and report tables of shared/SalesEtl.Data/Schema in SQLite: the same tables and columns, with
/// money as INTEGER cents (suffix-free names kept), ratios as INTEGER millionths and timestamps as INTEGER microseconds.
/// </summary>
static class SqliteSchema
{
    public const string Ddl = """
        CREATE TABLE IF NOT EXISTS staged_sales (
            run_id TEXT NOT NULL, chunk_no INTEGER NOT NULL, source_line INTEGER NOT NULL, malformed INTEGER NOT NULL,
            transaction_id TEXT, customer_id TEXT, product_id TEXT, sale_date TEXT, quantity TEXT, total_price TEXT,
            sales_channel TEXT, raw_text TEXT NOT NULL,
            PRIMARY KEY (run_id, chunk_no, source_line));
        CREATE TABLE IF NOT EXISTS transformed_sales (
            run_id TEXT NOT NULL, chunk_no INTEGER NOT NULL, source_line INTEGER NOT NULL, transaction_id TEXT NOT NULL,
            customer_id TEXT, product_id TEXT NOT NULL, sale_date INTEGER NOT NULL, quantity INTEGER NOT NULL,
            total_price INTEGER NOT NULL, sales_channel TEXT NOT NULL, flags INTEGER NOT NULL,
            PRIMARY KEY (run_id, chunk_no, source_line));
        CREATE TABLE IF NOT EXISTS rejected_rows (
            run_id TEXT NOT NULL, chunk_no INTEGER NOT NULL, source_line INTEGER NOT NULL, reason TEXT NOT NULL, raw_text TEXT NOT NULL,
            PRIMARY KEY (run_id, source_line));
        CREATE INDEX IF NOT EXISTS ix_rejected_rows_run_chunk ON rejected_rows (run_id, chunk_no);
        CREATE TABLE IF NOT EXISTS duplicate_rows (
            run_id TEXT NOT NULL, source_line INTEGER NOT NULL, duplicate_of INTEGER NOT NULL, transaction_id TEXT NOT NULL,
            PRIMARY KEY (run_id, source_line));
        CREATE TABLE IF NOT EXISTS fact_sales (
            run_id TEXT NOT NULL, source_line INTEGER NOT NULL, transaction_id TEXT NOT NULL, customer_id TEXT,
            product_id TEXT NOT NULL, sale_date INTEGER NOT NULL, quantity INTEGER NOT NULL, total_price INTEGER NOT NULL,
            sales_channel TEXT NOT NULL, flags INTEGER NOT NULL, snapshot_id INTEGER NOT NULL,
            PRIMARY KEY (run_id, source_line));
        CREATE TABLE IF NOT EXISTS product_revenue (
            run_id TEXT NOT NULL, product_id TEXT NOT NULL, product_name TEXT, category TEXT, manufacturer TEXT,
            transactions INTEGER NOT NULL, units_sold INTEGER NOT NULL, gross_revenue INTEGER NOT NULL, returns_value INTEGER NOT NULL,
            net_revenue INTEGER NOT NULL, revenue_share INTEGER, rank INTEGER NOT NULL,
            PRIMARY KEY (run_id, product_id));
        CREATE TABLE IF NOT EXISTS channel_performance (
            run_id TEXT NOT NULL, channel TEXT NOT NULL, transactions INTEGER NOT NULL, units_sold INTEGER NOT NULL,
            net_revenue INTEGER NOT NULL, avg_order_value INTEGER, distinct_customers INTEGER NOT NULL, revenue_share INTEGER,
            PRIMARY KEY (run_id, channel));
        CREATE TABLE IF NOT EXISTS channel_monthly (
            run_id TEXT NOT NULL, channel TEXT NOT NULL, month TEXT NOT NULL, transactions INTEGER NOT NULL, net_revenue INTEGER NOT NULL,
            PRIMARY KEY (run_id, channel, month));
        CREATE TABLE IF NOT EXISTS customer_frequency (
            run_id TEXT NOT NULL, customer_id TEXT NOT NULL, purchases INTEGER NOT NULL, returns INTEGER NOT NULL,
            first_purchase INTEGER, last_purchase INTEGER, total_spent INTEGER NOT NULL, avg_days_between_purchases INTEGER,
            segment TEXT NOT NULL,
            PRIMARY KEY (run_id, customer_id));
        CREATE TABLE IF NOT EXISTS customer_segments (
            run_id TEXT NOT NULL, segment TEXT NOT NULL, customers INTEGER NOT NULL,
            PRIMARY KEY (run_id, segment));
        CREATE TABLE IF NOT EXISTS inventory_valuation (
            run_id TEXT NOT NULL, product_id TEXT NOT NULL, product_name TEXT, category TEXT, manufacturer TEXT,
            stock_quantity INTEGER NOT NULL, base_price INTEGER NOT NULL, stock_value INTEGER NOT NULL, units_sold INTEGER NOT NULL,
            sell_through INTEGER,
            PRIMARY KEY (run_id, product_id));
        CREATE TABLE IF NOT EXISTS inventory_by_category (
            run_id TEXT NOT NULL, category TEXT, products INTEGER NOT NULL, stock_quantity INTEGER NOT NULL,
            stock_value INTEGER NOT NULL, units_sold INTEGER NOT NULL, sell_through INTEGER);
        CREATE TABLE IF NOT EXISTS inventory_by_manufacturer (
            run_id TEXT NOT NULL, manufacturer TEXT, products INTEGER NOT NULL, stock_quantity INTEGER NOT NULL,
            stock_value INTEGER NOT NULL, units_sold INTEGER NOT NULL, sell_through INTEGER);

        CREATE TABLE IF NOT EXISTS product_snapshots (
            snapshot_id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, source_url TEXT NOT NULL, taken_at INTEGER NOT NULL,
            items_read INTEGER NOT NULL, product_count INTEGER NOT NULL, rejected_count INTEGER NOT NULL, duplicate_count INTEGER NOT NULL,
            invalid_stock_count INTEGER NOT NULL, added INTEGER NOT NULL, changed INTEGER NOT NULL, deactivated INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_product_snapshots_run_id ON product_snapshots (run_id);
        CREATE TABLE IF NOT EXISTS product_versions (
            version_id INTEGER PRIMARY KEY AUTOINCREMENT, product_id TEXT NOT NULL, product_name TEXT, category TEXT, manufacturer TEXT,
            base_price INTEGER NOT NULL, stock_quantity INTEGER, valid_from_snapshot INTEGER NOT NULL, valid_to_snapshot INTEGER,
            valid_from INTEGER NOT NULL, valid_to INTEGER);
        CREATE INDEX IF NOT EXISTS ix_product_versions_product ON product_versions (product_id, valid_from_snapshot);
        CREATE INDEX IF NOT EXISTS ix_product_versions_valid_to ON product_versions (valid_to_snapshot);
        CREATE TABLE IF NOT EXISTS products (
            product_id TEXT PRIMARY KEY, is_active INTEGER NOT NULL, first_seen_snapshot INTEGER NOT NULL, last_seen_snapshot INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS product_rejects (
            snapshot_id INTEGER NOT NULL, item_no INTEGER NOT NULL, product_id TEXT, reason TEXT NOT NULL, raw_json TEXT NOT NULL,
            PRIMARY KEY (snapshot_id, item_no));
        CREATE TABLE IF NOT EXISTS product_snapshot_fields (
            snapshot_id INTEGER NOT NULL, field TEXT NOT NULL, items INTEGER NOT NULL,
            PRIMARY KEY (snapshot_id, field));
        CREATE TABLE IF NOT EXISTS late_product_matches (
            run_id TEXT NOT NULL, product_id TEXT NOT NULL, snapshot_id INTEGER NOT NULL, version_id INTEGER NOT NULL,
            fact_rows INTEGER NOT NULL, matched_at INTEGER NOT NULL,
            PRIMARY KEY (run_id, product_id));
        CREATE TABLE IF NOT EXISTS run_ingest_info (
            run_id TEXT PRIMARY KEY, header_columns TEXT NOT NULL, extra_columns TEXT NOT NULL,
            required_in_order INTEGER NOT NULL, recorded_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS quality_reports (
            run_id TEXT PRIMARY KEY, outcome TEXT NOT NULL, reason TEXT, rows_read INTEGER NOT NULL, rows_accepted INTEGER NOT NULL,
            rows_rejected INTEGER NOT NULL, duplicates_dropped INTEGER NOT NULL, report_json TEXT NOT NULL, created_at INTEGER NOT NULL);
        """;
}
