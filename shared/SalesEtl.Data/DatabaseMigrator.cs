using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace SalesEtl.Data;

/// <summary>
/// Applies the EF Core migrations. Every replica of every service calls this at start-up, so a
/// session-level advisory lock makes the first one migrate while the others wait and then find
/// nothing left to do (EF's own migration lock is kept too; ours also covers database creation races).
/// </summary>
public static class DatabaseMigrator
{
    const long MigrationLockKey = 0x5A1E5E7L;

    public static async Task MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var lockConnection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var acquire = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", lockConnection))
        {
            acquire.Parameters.AddWithValue("key", MigrationLockKey);
            // Waiting is the point: on a loaded node the first replica's migration can outlast the 30-s command
            // timeout, which crashed the replicas waiting behind it. Start-up's cancellation still ends the wait.
            acquire.CommandTimeout = 0;
            await acquire.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await using var db = EtlDatabase.CreateContext(dataSource);
            await db.Database.MigrateAsync(cancellationToken);
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", lockConnection);
            release.Parameters.AddWithValue("key", MigrationLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}
