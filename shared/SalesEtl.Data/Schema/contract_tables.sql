-- Tables of the data contract's reporting (docs/DATA_CONTRACT_NOTES.md): schema drift and late-arriving products.
-- Applied by the migration ContractTables; plain SQL so that the services write them set-based, like the bulk tables.

-- The header of a run's sales file as the ingestor read it (SPEC §1: column order is free, extra columns are
-- ignored): the metrics-loader reports it as schema drift in the quality report.
CREATE TABLE run_ingest_info (
    run_id            uuid        PRIMARY KEY,
    header_columns    text[]      NOT NULL,  -- every name as written, ASCII-trimmed, in file order
    extra_columns     text[]      NOT NULL,  -- names that are not required columns (or repeat one), in file order
    required_in_order boolean     NOT NULL,  -- the seven required columns appear in SPEC order
    recorded_at       timestamptz NOT NULL
);

-- Which item fields the product API served in a sync (how many items carried each): product-sync writes it, the
-- metrics-loader compares it with SPEC §2's fields for the run's snapshot.
CREATE TABLE product_snapshot_fields (
    snapshot_id  bigint  NOT NULL,
    field        text    NOT NULL,
    items        integer NOT NULL,
    PRIMARY KEY (snapshot_id, field)
);

-- Late-arriving products: facts kept with flag unknown_product (8) whose product a later snapshot brought.
-- One row per run and product, written once by the first later sync that holds the product, pointing at the
-- product version that sync saw. The run's own metrics are never touched (they stay reproducible from the run's
-- snapshot); fact_sales_enriched shows the facts with the late attributes.
CREATE TABLE late_product_matches (
    run_id        uuid        NOT NULL,
    product_id    text        NOT NULL,
    snapshot_id   bigint      NOT NULL,  -- the first later snapshot holding the product
    version_id    bigint      NOT NULL,  -- product_versions row valid in that snapshot
    fact_rows     bigint      NOT NULL,  -- facts of the run it enriches
    matched_at    timestamptz NOT NULL,
    PRIMARY KEY (run_id, product_id)
);

-- Finds the unknown-product facts of all runs cheaply, however many facts there are.
CREATE INDEX ix_fact_sales_unknown_product ON fact_sales (product_id, run_id) WHERE (flags & 8) <> 0;

-- Facts with their product attributes: from the run's own snapshot, else from a late match.
CREATE VIEW fact_sales_enriched AS
SELECT f.run_id, f.source_line, f.transaction_id, f.customer_id, f.product_id, f.sale_date, f.quantity,
       f.total_price, f.sales_channel, f.flags, f.snapshot_id,
       coalesce(own.product_name, late.product_name)   AS product_name,
       coalesce(own.category, late.category)           AS category,
       coalesce(own.manufacturer, late.manufacturer)   AS manufacturer,
       coalesce(own.base_price, late.base_price)       AS base_price,
       CASE WHEN own.version_id IS NOT NULL THEN 'run_snapshot'
            WHEN late.version_id IS NOT NULL THEN 'late_match' END AS attributes_from,
       m.snapshot_id AS late_snapshot_id
FROM fact_sales f
LEFT JOIN product_versions own
       ON own.product_id = f.product_id AND (f.flags & 8) = 0
      AND own.valid_from_snapshot <= f.snapshot_id AND (own.valid_to_snapshot IS NULL OR own.valid_to_snapshot > f.snapshot_id)
LEFT JOIN late_product_matches m ON m.run_id = f.run_id AND m.product_id = f.product_id AND (f.flags & 8) <> 0
LEFT JOIN product_versions late ON late.version_id = m.version_id;
