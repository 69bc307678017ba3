-- A run's raw records, staged by the ingestor and read back by a transformer: one row per chunk, the records
-- encoded as one payload by SalesEtl.Pipeline.Sales.StagedChunkCodec (format version in its first byte).
-- UNLOGGED like the other intermediate table (docs/PERFORMANCE.md, crash safety): a crash empties it, and the
-- transformer then finds no row for its chunk and fails the run.
CREATE UNLOGGED TABLE staged_chunks (
    run_id     uuid    NOT NULL,
    chunk_no   integer NOT NULL,
    row_count  integer NOT NULL,
    payload    bytea   NOT NULL,
    PRIMARY KEY (run_id, chunk_no)
);
-- Out of line in TOAST but not compressed: pglz would spend CPU on every chunk to save disk an intermediate
-- table does not need to save.
ALTER TABLE staged_chunks ALTER COLUMN payload SET STORAGE EXTERNAL;

-- The raw text of every candidate, for the reject file of a duplicate_conflict (resolved over the whole run
-- after the staged chunks may be gone). Null only for rows transformed before this column existed.
ALTER TABLE transformed_sales ADD COLUMN raw_text text;
