-- Streaming ingestion and the inbox trigger (docs/STREAMING.md). Plain SQL tables outside the EF model.

-- Every sale event ever accepted, keyed by its event id: a redelivered or re-sent event finds its id here
-- and is dropped. window_no is null while the event waits in the open window; the window that closes
-- over it sets window_no and the outcome ('staged', or 'duplicate_transaction' when an earlier window
-- already counted its transaction id).
CREATE TABLE stream_events (
    event_id        uuid        PRIMARY KEY,
    arrival_no      bigint      GENERATED ALWAYS AS IDENTITY,
    arrived_at      timestamptz NOT NULL,
    source          text        NOT NULL,
    sequence_no     bigint      NOT NULL,
    emitted_at      timestamptz NOT NULL,
    malformed       boolean     NOT NULL,
    transaction_id  text,
    customer_id     text,
    product_id      text,
    sale_date       text,
    quantity        text,
    total_price     text,
    sales_channel   text,
    raw_text        text        NOT NULL,
    window_no       bigint,
    outcome         text
);
CREATE UNIQUE INDEX ix_stream_events_arrival ON stream_events (arrival_no);
CREATE INDEX ix_stream_events_open ON stream_events (arrival_no) WHERE window_no IS NULL;
CREATE INDEX ix_stream_events_window ON stream_events (window_no, arrival_no);

-- One row per closed window; each window is one run of the BatchRun saga.
CREATE TABLE stream_windows (
    window_no          bigint      PRIMARY KEY,
    run_id             uuid        NOT NULL UNIQUE,
    opened_at          timestamptz NOT NULL,   -- arrival of the window's first event
    closed_at          timestamptz NOT NULL,
    close_reason       text        NOT NULL,   -- 'count' or 'time'
    events             integer     NOT NULL,
    rows_staged        integer     NOT NULL,
    duplicates_dropped integer     NOT NULL,   -- events whose transaction id an earlier window counted
    chunk_count        integer     NOT NULL,
    as_of              timestamptz NOT NULL,
    published_at       timestamptz              -- null until StartStreamWindowRun is published (re-published until then)
);

-- The first window that staged a transaction id owns it: later windows drop events with that id.
CREATE TABLE stream_seen_transactions (
    transaction_id  text   PRIMARY KEY,        -- ASCII-trimmed, as SPEC §1 compares ids
    window_no       bigint NOT NULL,
    run_id          uuid   NOT NULL,
    event_id        uuid   NOT NULL
);

-- Files claimed by the inbox watcher, by content: the same bytes twice start one run.
CREATE TABLE inbox_files (
    checksum      text        PRIMARY KEY,     -- SHA-256, lower-case hex
    run_id        uuid        NOT NULL UNIQUE,
    file_name     text        NOT NULL,
    path          text        NOT NULL,
    claimed_at    timestamptz NOT NULL,
    published_at  timestamptz,                 -- null until StartBatchRun is published (re-published until then)
    finished_at   timestamptz,                 -- the run was final and the file moved
    outcome       text                         -- 'processed' or 'failed'
);
