using Microsoft.EntityFrameworkCore;
using Npgsql;
using SalesEtl.Data;
using SalesEtl.TestSupport;

namespace SalesEtl.IntegrationTests.Schema;

/// <summary>
/// Every service migrates the schema at start-up, and a deployment starts its replicas at once: the migrations must be
/// applied exactly once, by one of them, while the others wait and then find nothing left to do.
/// </summary>
public sealed class Migrating_from_several_replicas_at_once
{
    const int Replicas = 8;

    [Fact]
    public async Task Should_apply_every_migration_once_when_replicas_migrate_an_empty_database_together()
    {
        await using var database = await TestDatabase.CreateAsync("migrate_race", migrate: false);
        var replicas = Enumerable.Range(0, Replicas)
            .Select(_ => new NpgsqlDataSourceBuilder(database.ConnectionString).Build())
            .ToList();
        try
        {
            using var start = new SemaphoreSlim(0, Replicas);
            var migrations = replicas.Select(async dataSource =>
            {
                await start.WaitAsync();
                await DatabaseMigrator.MigrateAsync(dataSource, CancellationToken.None);
            }).ToList();
            start.Release(Replicas);
            await Task.WhenAll(migrations);
        }
        finally
        {
            foreach (var dataSource in replicas)
                await dataSource.DisposeAsync();
        }

        await using var db = EtlDatabase.CreateContext(database.DataSource);
        var known = db.Database.GetMigrations().ToList();
        Assert.NotEmpty(known);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(known.Count, await database.ScalarAsync<long>("SELECT count(*) FROM __ef_migrations_history"));
        // The schema is usable: the tables the services write first exist.
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM batch_runs"));
    }

    [Fact]
    public async Task Should_find_nothing_to_do_when_a_replica_starts_on_a_migrated_database()
    {
        await using var database = await TestDatabase.CreateAsync("migrate_again");
        await DatabaseMigrator.MigrateAsync(database.DataSource, CancellationToken.None);

        await using var db = EtlDatabase.CreateContext(database.DataSource);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(db.Database.GetMigrations().Count(), await database.ScalarAsync<long>("SELECT count(*) FROM __ef_migrations_history"));
    }
}
