using Npgsql;

namespace SalesEtl.Data.Streaming;

/// <summary>A file of the inbox claimed for one run (table <c>inbox_files</c>).</summary>
public sealed record InboxClaim(string Checksum, Guid RunId, string FileName, string Path, bool Published, bool Finished);

/// <summary>
/// The inbox's memory, in PostgreSQL so that it survives the watcher: a file's SHA-256 is claimed
/// once (unique key), whoever claims it first starts the run, and the claim says when the file was moved.
/// </summary>
public sealed class InboxClaims(NpgsqlDataSource dataSource)
{
    /// <summary>Claims the checksum for a new run; returns the claim that holds it (this one, or an earlier one) and whether it is new.</summary>
    public async Task<(InboxClaim Claim, bool IsNew)> ClaimAsync(string checksum, string path, CancellationToken cancellationToken)
    {
        await using (var insert = dataSource.CreateCommand("""
            INSERT INTO inbox_files (checksum, run_id, file_name, path, claimed_at) VALUES (@checksum, @run, @name, @path, clock_timestamp())
            ON CONFLICT (checksum) DO NOTHING
            """))
        {
            insert.Parameters.AddWithValue("checksum", checksum);
            insert.Parameters.AddWithValue("run", Guid.CreateVersion7());
            insert.Parameters.AddWithValue("name", System.IO.Path.GetFileName(path));
            insert.Parameters.AddWithValue("path", path);
            var inserted = await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
            var claim = await FindAsync(checksum, cancellationToken) ?? throw new InvalidOperationException($"The inbox claim {checksum} vanished.");
            return (claim, inserted);
        }
    }

    public async Task<InboxClaim?> FindAsync(string checksum, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT checksum, run_id, file_name, path, published_at IS NOT NULL, finished_at IS NOT NULL FROM inbox_files WHERE checksum = @checksum");
        command.Parameters.AddWithValue("checksum", checksum);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>Claims whose file is not moved yet, with the state of their run (null when the run row does not exist yet).</summary>
    public async Task<List<(InboxClaim Claim, string? RunState)>> UnfinishedAsync(CancellationToken cancellationToken)
    {
        var claims = new List<(InboxClaim, string?)>();
        await using var command = dataSource.CreateCommand("""
            SELECT i.checksum, i.run_id, i.file_name, i.path, i.published_at IS NOT NULL, false, r.current_state
            FROM inbox_files i LEFT JOIN batch_runs r ON r.run_id = i.run_id
            WHERE i.finished_at IS NULL ORDER BY i.claimed_at
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            claims.Add((Read(reader), reader.IsDBNull(6) ? null : reader.GetString(6)));
        return claims;
    }

    public async Task MarkPublishedAsync(string checksum, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("UPDATE inbox_files SET published_at = clock_timestamp() WHERE checksum = @checksum");
        command.Parameters.AddWithValue("checksum", checksum);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task MarkFinishedAsync(string checksum, string outcome, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("UPDATE inbox_files SET finished_at = clock_timestamp(), outcome = @outcome WHERE checksum = @checksum");
        command.Parameters.AddWithValue("checksum", checksum);
        command.Parameters.AddWithValue("outcome", outcome);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    static InboxClaim Read(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetBoolean(4), reader.GetBoolean(5));
}
