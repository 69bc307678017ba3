using Npgsql;
using SalesEtl.MetricsLoader.Sql;

namespace SalesEtl.MetricsLoader.Aggregation;

/// <summary>
/// The counts that, with the facts the read of a run's facts counts (<see cref="FactReading"/>), show whether the run
/// is complete: the rows the ingestor read, the candidates waiting for the duplicate check, the rejects.
/// </summary>
sealed class RunCounts
{
    RunCounts(long? rowsRead, long waiting, long rejected) => (RowsRead, Waiting, Rejected) = (rowsRead, waiting, rejected);

    /// <summary>The rows the ingestor read; null when the run has no state row (a finalization called directly, in tests).</summary>
    public long? RowsRead { get; }

    public long Waiting { get; }

    /// <summary>The run's rejects apart from the duplicate conflicts, which only a finalization records.</summary>
    public long Rejected { get; }

    /// <summary>Reads them, after the earlier attempt's results are cleared.</summary>
    public static async Task<RunCounts> ReadAsync(NpgsqlConnection connection, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(DuplicateResolutionSql.Counts, connection) { CommandTimeout = 0 };
        command.Parameters.AddWithValue("run", runId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new RunCounts(reader.IsDBNull(0) ? null : reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>
    /// The intermediate tables are UNLOGGED: after a PostgreSQL crash they are empty. Every row the ingestor read must be
    /// a fact its transformer loaded (<paramref name="facts"/>, as read, the winners of an earlier attempt cleared), a
    /// candidate waiting for the duplicate check, or a reject of its chunk, else the run would load partial results
    /// without a word. Checked before the facts' transaction commits: an incomplete run loads nothing.
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
