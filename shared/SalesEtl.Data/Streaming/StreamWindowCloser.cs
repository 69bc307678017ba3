using Npgsql;
using SalesEtl.Data.Staging;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Data.Streaming;

/// <summary>How windows are cut: by count, by time, whichever comes first.</summary>
/// <param name="MaxEvents">A window closes as soon as it holds this many events.</param>
/// <param name="MaxAge">A window closes this long after its first event arrived.</param>
/// <param name="ChunkSize">Rows per staged chunk of a window's run.</param>
public sealed record WindowPolicy(int MaxEvents, TimeSpan MaxAge, int ChunkSize);

/// <summary>A closed window: its run is staged and waits for <c>StartStreamWindowRun</c>.</summary>
public sealed record ClosedWindow(long WindowNo, Guid RunId, int Events, int RowsStaged, int DuplicatesDropped, int ChunkCount, DateTimeOffset AsOf, string CloseReason);

/// <summary>
/// Closes the open window in one transaction: takes its events in arrival order, lets its events that pass the row
/// rules claim the transaction ids no earlier window claimed (<c>stream_seen_transactions</c>), stages the rest as
/// chunks of a new run in <c>staged_chunks</c> (the ingestor's chunk format), and records the window. Either all
/// of it commits or nothing does, and an advisory lock makes one closer at a time (any number of
/// ingestor replicas), so no event is lost or counted in two windows.
/// </summary>
public sealed class StreamWindowCloser(NpgsqlDataSource dataSource)
{
    const long CloseLockKey = 0x57EA3C105EL;

    static readonly string[] RequiredColumns = ["transaction_id", "customer_id", "product_id", "sale_date", "quantity", "total_price", "sales_channel"];

    /// <summary>Closes the open window when it is due; null when it is not (or another closer holds the lock).</summary>
    /// <param name="asOf">The run's as-of time; null means the close time.</param>
    /// <param name="force">Close whatever is open, due or not (shutdown, tests).</param>
    public async Task<ClosedWindow?> TryCloseAsync(WindowPolicy policy, DateTimeOffset? asOf, bool force, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await connection.ScalarAsync<bool>(transaction, $"SELECT pg_try_advisory_xact_lock({CloseLockKey})", cancellationToken))
            return null;

        long open;
        DateTime? firstArrival;
        DateTime now;
        await using (var command = new NpgsqlCommand("SELECT count(*), min(arrived_at), clock_timestamp() FROM stream_events WHERE window_no IS NULL", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            open = reader.GetInt64(0);
            firstArrival = reader.IsDBNull(1) ? null : reader.GetDateTime(1);
            now = reader.GetDateTime(2);
        }
        if (open == 0 || firstArrival is null)
            return null;
        var reason = open >= policy.MaxEvents ? "count" : now - firstArrival.Value >= policy.MaxAge ? "time" : force ? "forced" : null;
        if (reason is null)
            return null;

        var windowNo = await connection.ScalarAsync<long>(transaction, "SELECT coalesce(max(window_no), 0) + 1 FROM stream_windows", cancellationToken);
        var runId = Guid.CreateVersion7();
        var runAsOf = (asOf ?? new DateTimeOffset(now, TimeSpan.Zero)).ToUniversalTime();
        var events = await ExecuteAsync(connection, transaction, """
            UPDATE stream_events SET window_no = @window
            WHERE event_id IN (SELECT event_id FROM stream_events WHERE window_no IS NULL ORDER BY arrival_no LIMIT @max)
            """, cancellationToken, ("window", windowNo), ("max", policy.MaxEvents));

        // The window claims the ids no earlier window holds, each for its first event that passes the row rules (a
        // rejected row claims nothing, as in one file); such events whose id an earlier window holds are dropped.
        // Events that fail the rules are staged whatever their id: their run rejects them with their reason.
        var window = await ReadWindowAsync(connection, transaction, windowNo, cancellationToken);
        var claimants = window.Select(e => (e.EventId, TransactionId: CrossWindowClaim.ClaimedId(e.Row, runAsOf)))
            .Where(c => c.TransactionId is not null).Select(c => (c.EventId, TransactionId: c.TransactionId!)).ToList();
        var won = await ClaimAsync(connection, transaction, windowNo, runId,
            claimants.DistinctBy(c => c.TransactionId, StringComparer.Ordinal).ToList(), cancellationToken);
        var dropped = claimants.Where(c => !won.Contains(c.TransactionId)).Select(c => c.EventId).ToHashSet();
        var duplicates = dropped.Count;
        await ExecuteAsync(connection, transaction, $"""
            UPDATE stream_events SET outcome = CASE WHEN event_id = ANY(@dropped) THEN '{StreamTables.DuplicateTransaction}' ELSE '{StreamTables.Staged}' END
            WHERE window_no = @window
            """, cancellationToken, ("window", windowNo), ("dropped", (object)dropped.ToArray()));

        // Line numbers as a file of the window would have them (header = line 1), in arrival order: the first arrival wins
        // duplicates. Staged through the ingestor's chunk format, in this transaction.
        var rows = window.Where(e => !dropped.Contains(e.EventId)).Select((e, rank) => e.Row with { SourceLine = rank + 2L }).ToList();
        var staged = rows.Count;
        var chunkCount = (staged + policy.ChunkSize - 1) / policy.ChunkSize;
        for (var chunk = 0; chunk < chunkCount; chunk++)
        {
            var first = chunk * policy.ChunkSize;
            await StagedSalesWriter.WriteChunkAsync(connection, transaction, runId, chunk + 1,
                rows.GetRange(first, Math.Min(policy.ChunkSize, staged - first)), cancellationToken);
        }

        await using (var info = new NpgsqlCommand("""
            INSERT INTO run_ingest_info (run_id, header_columns, extra_columns, required_in_order, recorded_at)
            VALUES (@run, @columns, @extra, true, @at)
            """, connection, transaction))
        {
            info.Parameters.AddWithValue("run", runId);
            info.Parameters.AddWithValue("columns", RequiredColumns);
            info.Parameters.AddWithValue("extra", Array.Empty<string>());
            info.Parameters.AddWithValue("at", now);
            await info.ExecuteNonQueryAsync(cancellationToken);
        }

        await ExecuteAsync(connection, transaction, """
            INSERT INTO stream_windows (window_no, run_id, opened_at, closed_at, close_reason, events, rows_staged, duplicates_dropped, chunk_count, as_of)
            VALUES (@window, @run, @opened, @closed, @reason, @events, @staged, @duplicates, @chunks, @as_of)
            """, cancellationToken, ("window", windowNo), ("run", runId), ("opened", firstArrival.Value), ("closed", now), ("reason", reason),
            ("events", events), ("staged", staged), ("duplicates", duplicates), ("chunks", chunkCount), ("as_of", runAsOf));
        await transaction.CommitAsync(cancellationToken);
        return new ClosedWindow(windowNo, runId, events, staged, duplicates, chunkCount, runAsOf, reason);
    }

    /// <summary>Closed windows whose run was not announced yet (a crash between commit and publish).</summary>
    public async Task<List<ClosedWindow>> UnpublishedAsync(CancellationToken cancellationToken)
    {
        var windows = new List<ClosedWindow>();
        await using var command = dataSource.CreateCommand("""
            SELECT window_no, run_id, events, rows_staged, duplicates_dropped, chunk_count, as_of, close_reason
            FROM stream_windows WHERE published_at IS NULL ORDER BY window_no
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            windows.Add(new ClosedWindow(reader.GetInt64(0), reader.GetGuid(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4),
                reader.GetInt32(5), new DateTimeOffset(reader.GetDateTime(6), TimeSpan.Zero), reader.GetString(7)));
        return windows;
    }

    public async Task MarkPublishedAsync(long windowNo, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("UPDATE stream_windows SET published_at = clock_timestamp() WHERE window_no = @window");
        command.Parameters.AddWithValue("window", windowNo);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Events waiting in the open window (the streaming backlog inside the ingestor).</summary>
    public async Task<long> OpenEventsAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM stream_events WHERE window_no IS NULL");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>An event of the window being closed and its record (source line still unset).</summary>
    sealed record WindowEvent(Guid EventId, RawSale Row);

    static async Task<List<WindowEvent>> ReadWindowAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long windowNo, CancellationToken cancellationToken)
    {
        var events = new List<WindowEvent>();
        await using var command = new NpgsqlCommand("""
            SELECT event_id, malformed, raw_text, transaction_id, customer_id, product_id, sale_date, quantity, total_price, sales_channel
            FROM stream_events WHERE window_no = @window ORDER BY arrival_no
            """, connection, transaction);
        command.Parameters.AddWithValue("window", windowNo);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new WindowEvent(reader.GetGuid(0),
                new RawSale(0, reader.GetBoolean(1), reader.GetString(2), Text(3), Text(4), Text(5), Text(6), Text(7), Text(8), Text(9))));
        }
        return events;

        string? Text(int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
    }

    /// <summary>Inserts the window's claims; returns the ids it won (the others an earlier window holds).</summary>
    static async Task<HashSet<string>> ClaimAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long windowNo, Guid runId,
        List<(Guid EventId, string TransactionId)> firstClaims, CancellationToken cancellationToken)
    {
        var won = new HashSet<string>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand("""
            INSERT INTO stream_seen_transactions (transaction_id, window_no, run_id, event_id)
            SELECT c.tx, @window, @run, c.event_id FROM unnest(@txs, @events) AS c(tx, event_id)
            ON CONFLICT (transaction_id) DO NOTHING
            RETURNING transaction_id
            """, connection, transaction);
        command.Parameters.AddWithValue("window", windowNo);
        command.Parameters.AddWithValue("run", runId);
        command.Parameters.AddWithValue("txs", firstClaims.Select(e => e.TransactionId).ToArray());
        command.Parameters.AddWithValue("events", firstClaims.Select(e => e.EventId).ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            won.Add(reader.GetString(0));
        return won;
    }

    static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
