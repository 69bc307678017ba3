namespace SalesEtl.MetricsLoader.Sql;

/// <summary>
/// SPEC §1 rule 10 and exact duplicates, resolved over the whole run at once so that the first
/// occurrence in file order wins whatever the chunking or the order chunks were transformed in.
/// A row whose normalized content equals an earlier row of the same transaction id is an exact
/// duplicate (of the earliest such row); otherwise a later row of an id is a conflict.
/// Windows partition NULL customer ids together, which is the equality the SPEC asks for.
/// <para>
/// Most facts are already in <c>fact_sales</c> when this runs: the transformers load the candidates whose transaction
/// id the ingestor saw for the first time (<c>FirstOccurrenceFilter</c>), and those are winners by construction. Only
/// the other candidates wait in <c>transformed_sales</c>: the repeats (and the few ids the filter falsely took for
/// repeats). Their ids are looked up among the loaded facts, and the ranking runs over those ids alone. A finalization
/// only ever inserts facts from <c>transformed_sales</c>, so clearing an earlier attempt deletes those and nothing else.
/// </para>
/// </summary>
static class DuplicateResolutionSql
{
    /// <summary>
    /// Whether an earlier finalization of the run loaded winners from the waiting candidates: <see cref="MarkWinnersLoaded"/>
    /// marks it as the run's chunk 0 in transformed_chunks (chunks are numbered from 1), in the facts' transaction.
    /// Without the mark the clear skips its scan of the run's facts (a first finalization).
    /// </summary>
    public const string WinnersLoaded = "EXISTS (SELECT 1 FROM transformed_chunks m WHERE m.run_id = @run AND m.chunk_no = 0)";

    /// <summary>The run's waiting lines (a derived table <c>w</c> to join the run's facts to by source line).</summary>
    public const string WaitingLines = "(SELECT DISTINCT t.source_line FROM transformed_sales t WHERE t.run_id = @run) w";

    /// <summary>
    /// Deletes everything an earlier finalization of the run wrote from the waiting candidates, committed before the
    /// run's facts are read (<c>FactReading</c>), whose connections must not see its winners. Those facts are the ones on
    /// a waiting line: a hash join of the run's facts against the waiting lines (fact_sales has no key to probe since
    /// migration FactsWithoutPrimaryKey), only when that attempt loaded winners (one scan of the run's facts: 3 s at 10 M
    /// rows, which a first finalization skips); then its mark, its duplicates and its conflicts. Run after
    /// <c>RunFinalizer</c> analyzed fact_sales and transformed_sales (stale statistics made nested loops).
    /// </summary>
    public const string Clear = $"""
        DELETE FROM fact_sales f
        USING {WaitingLines}
        WHERE {WinnersLoaded} AND f.run_id = @run AND f.source_line = w.source_line;
        DELETE FROM transformed_chunks WHERE run_id = @run AND chunk_no = 0;
        DELETE FROM duplicate_rows WHERE run_id = @run;
        DELETE FROM rejected_rows WHERE run_id = @run AND reason = 'duplicate_conflict';
        """;

    /// <summary>One row of counts for the completeness check: the rows the ingestor read, the waiting candidates, the rejects.</summary>
    public const string Counts = """
        SELECT (SELECT r.rows_read FROM batch_runs r WHERE r.run_id = @run),
               (SELECT count(*) FROM transformed_sales WHERE run_id = @run),
               (SELECT count(*) FROM rejected_rows WHERE run_id = @run AND reason <> 'duplicate_conflict')
        """;

    /// <summary>
    /// The loaded facts that share an id with a waiting candidate (one scan of the run's facts against a hash of the
    /// waiting ids, while the metrics' read of the facts runs beside it), the ids that occur more than once among both,
    /// and the rows of those ids ranked. The ids are kept in a table of their own: as a subquery, a parallel plan had
    /// every worker aggregate all of the run's ids again (psql, 10 M rows: 12.2 s -> 6.7 s).
    /// </summary>
    public const string Rank = """
        CREATE TEMP TABLE earlier_facts ON COMMIT DROP AS
        SELECT f.source_line, f.transaction_id, f.customer_id, f.product_id, f.sale_date, f.quantity, f.total_price, f.sales_channel
        FROM fact_sales f
        WHERE f.run_id = @run
          AND f.transaction_id IN (SELECT t.transaction_id FROM transformed_sales t WHERE t.run_id = @run);
        CREATE TEMP TABLE duplicate_ids ON COMMIT DROP AS
        SELECT c.transaction_id
        FROM (SELECT t.transaction_id FROM transformed_sales t WHERE t.run_id = @run
              UNION ALL
              SELECT e.transaction_id FROM earlier_facts e) c
        GROUP BY c.transaction_id HAVING count(*) > 1;
        ANALYZE duplicate_ids;
        CREATE TEMP TABLE ranked_sales ON COMMIT DROP AS
        SELECT p.*,
               min(p.source_line) OVER (PARTITION BY p.transaction_id) AS first_of_id,
               min(p.source_line) OVER (PARTITION BY p.transaction_id, p.customer_id, p.product_id, p.sale_date,
                                                     p.quantity, p.total_price, p.sales_channel) AS first_of_content
        FROM (SELECT t.chunk_no, t.source_line, t.transaction_id, t.customer_id, t.product_id, t.sale_date, t.quantity,
                     t.total_price, t.sales_channel, t.raw_text
              FROM transformed_sales t
              WHERE t.run_id = @run AND t.transaction_id IN (SELECT transaction_id FROM duplicate_ids)
              UNION ALL
              SELECT NULL::integer, e.source_line, e.transaction_id, e.customer_id, e.product_id, e.sale_date, e.quantity,
                     e.total_price, e.sales_channel, NULL::text
              FROM earlier_facts e
              WHERE e.transaction_id IN (SELECT transaction_id FROM duplicate_ids)) p;
        ANALYZE ranked_sales;
        """;

    /// <summary>Marks that winners are loaded (see <see cref="WinnersLoaded"/>), in the transaction that loads them.</summary>
    public const string MarkWinnersLoaded = "INSERT INTO transformed_chunks (run_id, chunk_no) VALUES (@run, 0) ON CONFLICT DO NOTHING;";

    /// <summary>
    /// The waiting candidates that win their id join the facts, and their rows (<paramref name="columns"/>) are sent back
    /// for the metric sums: a COPY of an <c>INSERT … RETURNING</c>, which takes no parameters (a Guid's own text and a
    /// number). A loaded fact always wins its id (nothing earlier had it), so every loser is a waiting candidate.
    /// </summary>
    public static string LoadWinners(Guid runId, long snapshotId, string columns) => $"""
        COPY (INSERT INTO fact_sales (run_id, source_line, transaction_id, customer_id, product_id, sale_date, quantity, total_price, sales_channel, flags, snapshot_id)
              SELECT t.run_id, t.source_line, t.transaction_id, t.customer_id, t.product_id, t.sale_date, t.quantity, t.total_price, t.sales_channel, t.flags, {snapshotId}
              FROM transformed_sales t
              WHERE t.run_id = '{runId:D}'
                AND NOT EXISTS (SELECT 1 FROM ranked_sales r WHERE r.source_line = t.source_line AND r.source_line <> r.first_of_id)
              RETURNING {columns}) TO STDOUT (FORMAT BINARY)
        """;

    /// <summary>The losers: exact duplicates (of the earliest equal row) and conflicts, with their raw text.</summary>
    public const string RecordLosers = """
        INSERT INTO duplicate_rows (run_id, source_line, duplicate_of, transaction_id)
        SELECT @run, source_line, first_of_content, transaction_id
        FROM ranked_sales WHERE source_line <> first_of_content;

        INSERT INTO rejected_rows (run_id, chunk_no, source_line, reason, raw_text)
        SELECT @run, r.chunk_no, r.source_line, 'duplicate_conflict', r.raw_text
        FROM ranked_sales r
        WHERE r.source_line = r.first_of_content AND r.source_line <> r.first_of_id;
        """;
}
