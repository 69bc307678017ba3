-- Bulk tables: written by COPY and set-based SQL, read by the metrics and the export.
-- Staging is only needed while a run is in flight; facts and metrics are the results.
-- As of InitialCreate: staged_sales was replaced by staged_chunks (migration StagedChunks, staged_chunks.sql).

CREATE TABLE staged_sales (
    run_id          uuid    NOT NULL,
    chunk_no        integer NOT NULL,
    source_line     bigint  NOT NULL,
    malformed       boolean NOT NULL,
    transaction_id  text,
    customer_id     text,
    product_id      text,
    sale_date       text,
    quantity        text,
    total_price     text,
    sales_channel   text,
    raw_text        text    NOT NULL,
    PRIMARY KEY (run_id, chunk_no, source_line)
);

-- Rows of a chunk that passed rules 1-9 (SPEC §1), normalized and flagged; duplicates are resolved
-- over the whole run afterwards, so the first occurrence in file order wins whatever the chunking.
CREATE TABLE transformed_sales (
    run_id          uuid          NOT NULL,
    chunk_no        integer       NOT NULL,
    source_line     bigint        NOT NULL,
    transaction_id  text          NOT NULL,
    customer_id     text,
    product_id      text          NOT NULL,
    sale_date       timestamptz   NOT NULL,
    quantity        integer       NOT NULL,
    total_price     numeric(18,2) NOT NULL,
    sales_channel   text          NOT NULL,
    flags           integer       NOT NULL,
    PRIMARY KEY (run_id, chunk_no, source_line)
);

CREATE TABLE rejected_rows (
    run_id       uuid    NOT NULL,
    chunk_no     integer NOT NULL,
    source_line  bigint  NOT NULL,
    reason       text    NOT NULL,
    raw_text     text    NOT NULL,
    PRIMARY KEY (run_id, source_line)
);
CREATE INDEX ix_rejected_rows_run_chunk ON rejected_rows (run_id, chunk_no);

CREATE TABLE duplicate_rows (
    run_id          uuid   NOT NULL,
    source_line     bigint NOT NULL,
    duplicate_of    bigint NOT NULL,
    transaction_id  text   NOT NULL,
    PRIMARY KEY (run_id, source_line)
);

-- Accepted facts: one row per accepted sale, traceable to its source line.
CREATE TABLE fact_sales (
    run_id          uuid          NOT NULL,
    source_line     bigint        NOT NULL,
    transaction_id  text          NOT NULL,
    customer_id     text,
    product_id      text          NOT NULL,
    sale_date       timestamptz   NOT NULL,
    quantity        integer       NOT NULL,
    total_price     numeric(18,2) NOT NULL,
    sales_channel   text          NOT NULL,
    flags           integer       NOT NULL,
    snapshot_id     bigint        NOT NULL,
    PRIMARY KEY (run_id, source_line)
);

CREATE TABLE product_revenue (
    run_id         uuid          NOT NULL,
    product_id     text          NOT NULL,
    product_name   text,
    category       text,
    manufacturer   text,
    transactions   bigint        NOT NULL,
    units_sold     bigint        NOT NULL,
    gross_revenue  numeric(18,2) NOT NULL,
    returns_value  numeric(18,2) NOT NULL,
    net_revenue    numeric(18,2) NOT NULL,
    revenue_share  numeric(18,6),
    rank           integer       NOT NULL,
    PRIMARY KEY (run_id, product_id)
);

CREATE TABLE channel_performance (
    run_id              uuid          NOT NULL,
    channel             text          NOT NULL,
    transactions        bigint        NOT NULL,
    units_sold          bigint        NOT NULL,
    net_revenue         numeric(18,2) NOT NULL,
    avg_order_value     numeric(18,2),
    distinct_customers  bigint        NOT NULL,
    revenue_share       numeric(18,6),
    PRIMARY KEY (run_id, channel)
);

CREATE TABLE channel_monthly (
    run_id        uuid          NOT NULL,
    channel       text          NOT NULL,
    month         text          NOT NULL,
    transactions  bigint        NOT NULL,
    net_revenue   numeric(18,2) NOT NULL,
    PRIMARY KEY (run_id, channel, month)
);

CREATE TABLE customer_frequency (
    run_id                      uuid          NOT NULL,
    customer_id                 text          NOT NULL,
    purchases                   bigint        NOT NULL,
    returns                     bigint        NOT NULL,
    first_purchase              timestamptz,
    last_purchase               timestamptz,
    total_spent                 numeric(18,2) NOT NULL,
    avg_days_between_purchases  numeric(18,6),
    segment                     text          NOT NULL,
    PRIMARY KEY (run_id, customer_id)
);

CREATE TABLE customer_segments (
    run_id     uuid   NOT NULL,
    segment    text   NOT NULL,
    customers  bigint NOT NULL,
    PRIMARY KEY (run_id, segment)
);

CREATE TABLE inventory_valuation (
    run_id          uuid          NOT NULL,
    product_id      text          NOT NULL,
    product_name    text,
    category        text,
    manufacturer    text,
    stock_quantity  integer       NOT NULL,
    base_price      numeric(18,2) NOT NULL,
    stock_value     numeric(18,2) NOT NULL,
    units_sold      bigint        NOT NULL,
    sell_through    numeric(18,6),
    PRIMARY KEY (run_id, product_id)
);

-- A null category (or manufacturer) is a group of its own, so these have no primary key on it.
CREATE TABLE inventory_by_category (
    run_id          uuid          NOT NULL,
    category        text,
    products        bigint        NOT NULL,
    stock_quantity  bigint        NOT NULL,
    stock_value     numeric(18,2) NOT NULL,
    units_sold      bigint        NOT NULL,
    sell_through    numeric(18,6)
);
CREATE UNIQUE INDEX ux_inventory_by_category ON inventory_by_category (run_id, coalesce(category, E'\u0001'));

CREATE TABLE inventory_by_manufacturer (
    run_id          uuid          NOT NULL,
    manufacturer    text,
    products        bigint        NOT NULL,
    stock_quantity  bigint        NOT NULL,
    stock_value     numeric(18,2) NOT NULL,
    units_sold      bigint        NOT NULL,
    sell_through    numeric(18,6)
);
CREATE UNIQUE INDEX ux_inventory_by_manufacturer ON inventory_by_manufacturer (run_id, coalesce(manufacturer, E'\u0001'));

-- n / d rounded half away from zero to `places` decimals, computed exactly with integer division
-- (a plain numeric division rounds at ~16 digits first); null when d is 0 or either side is null.
CREATE FUNCTION etl_div(n numeric, d numeric, places integer) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN n IS NULL OR d IS NULL OR d = 0 THEN NULL
                ELSE sign(n) * sign(d) * div(abs(n) * 2 * 10::numeric ^ places + abs(d), 2 * abs(d)) / 10::numeric ^ places
           END
$$;
