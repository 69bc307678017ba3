using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace SalesEtl.Data;

/// <summary>
/// Applies the EF Core migrations under a PostgreSQL advisory lock, so that replicas starting at once
/// migrate one after the other (the first applies, the rest find nothing pending).
/// </summary>
public static class DatabaseMigrator
{
    const long MigrationLockKey = 0x5A1E5E7L;
    const int Attempts = 5;

    public static async Task MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        // A replica that starts on a loaded machine or while PostgreSQL restarts sees timeouts and lost connections:
        // start-up waits them out instead of crashing the service (seen: a transformer killed by a read timeout).
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await MigrateUnderLockAsync(dataSource, cancellationToken);
                return;
            }
            catch (NpgsqlException exception) when (exception.IsTransient && attempt < Attempts && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(2 * attempt), cancellationToken);
            }
        }
    }

    static async Task MigrateUnderLockAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var lockConnection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Waiting is the point: on a loaded node the first replica's migration can outlast the 30-s command timeout,
        // which crashed the replicas waiting behind it. Start-up's cancellation still ends the wait.
        await using (var acquire = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", lockConnection) { CommandTimeout = 0 })
        {
            acquire.Parameters.AddWithValue("key", MigrationLockKey);
            await acquire.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await using var db = EtlDatabase.CreateContext(dataSource);
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(5));
            await db.Database.MigrateAsync(cancellationToken);
        }
        finally
        {
            await ReleaseAsync(lockConnection);
        }
    }

    static async Task ReleaseAsync(NpgsqlConnection lockConnection)
    {
        try
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", lockConnection);
            release.Parameters.AddWithValue("key", MigrationLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (NpgsqlException)
        {
            // The connection broke: the session lock went with it. The migration's own error, if any, is the one to see.
        }
    }
}
