using Npgsql;
using SalesEtl.MetricsLoader.Sql;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.MetricsLoader.Aggregation;

/// <summary>
/// A run's candidates that wait for the duplicate check (<c>transformed_sales</c>): their ids in a filter that the read
/// of the run's facts asks (<see cref="FactReading"/>), and the counts that, with the facts that read counts, show
/// whether the run is complete.
/// </summary>
sealed class WaitingCandidates
{
    WaitingCandidates(Guid runId, long? rowsRead, long waiting, long rejected, FirstOccurrenceFilter? ids) =>
        (RunId, RowsRead, Waiting, Rejected, Ids) = (runId, rowsRead, waiting, rejected, ids);

    public Guid RunId { get; }

    /// <summary>The rows the ingestor read; null when the run has no state row (a finalization called directly, in tests).</summary>
    public long? RowsRead { get; }

    public long Waiting { get; }

    /// <summary>The run's rejects apart from the duplicate conflicts, which only a finalization records.</summary>
    public long Rejected { get; }

    /// <summary>The waiting ids; none when no candidate waits or the filter is off.</summary>
    FirstOccurrenceFilter? Ids { get; }

    /// <summary>
    /// Whether a fact with this id (UTF-8) may share it with a waiting candidate and must go to the ranking: the filter's
    /// answer (about one fact in a thousand without a candidate of its id says yes); every fact when the filter is off,
    /// none when no candidate waits. Several readers may ask at once.
    /// </summary>
    public bool MayShareAnId(ReadOnlySpan<byte> transactionId) => Waiting > 0 && (Ids is null || Ids.MayHaveUtf8(transactionId));

    /// <summary>Reads them, after the earlier attempt's results are cleared; without <paramref name="filterIds"/>, every fact will be taken as sharing an id with them.</summary>
    public static async Task<WaitingCandidates> ReadAsync(NpgsqlConnection connection, Guid runId, bool filterIds, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(DuplicateResolutionSql.WaitingIds, connection) { CommandTimeout = 0 };
        command.Parameters.AddWithValue("run", runId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        long? rowsRead = null;
        long waiting = 0, rejected = 0;
        if (await reader.ReadAsync(cancellationToken))
        {
            rowsRead = reader.IsDBNull(0) ? null : reader.GetInt64(0);
            waiting = reader.GetInt64(1);
            rejected = reader.GetInt64(2);
        }
        else
        {
            // No state row: count the waiting candidates from the ids themselves.
            waiting = -1;
        }
        await reader.NextResultAsync(cancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
            ids.Add(reader.GetString(0));
        if (waiting < 0)
            waiting = ids.Count;
        FirstOccurrenceFilter? filter = null;
        if (filterIds && ids.Count > 0)
        {
            filter = new FirstOccurrenceFilter(FirstOccurrenceFilter.SizeForIds(ids.Count));
            foreach (var id in ids)
                filter.IsFirst(id);
        }
        return new WaitingCandidates(runId, rowsRead, waiting, rejected, filter);
    }

    /// <summary>
    /// The intermediate tables are UNLOGGED: after a PostgreSQL crash they are empty. Every row the ingestor read must be
    /// a fact its transformer loaded (<paramref name="facts"/>, as read, the winners of an earlier attempt cleared), a
    /// candidate waiting for the duplicate check, or a reject of its chunk, else the run would load partial results
    /// without a word. Checked before any fact is loaded.
    /// </summary>
    public void EnsureComplete(long facts)
    {
        if (RowsRead is not { } read)
            return;
        var transformed = facts + Waiting + Rejected;
        if (read != transformed)
        {
            throw new InvalidOperationException(
                $"The run read {read} rows but only {transformed} are transformed: intermediate rows were lost (a PostgreSQL crash empties the staging tables); run the file again.");
        }
    }
}
