using Npgsql;
using SalesEtl.Data;

namespace SalesEtl.TestSupport;

/// <summary>A database of its own for one test class or run, migrated, dropped at the end.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public string Name { get; }
    public string ConnectionString { get; }
    public NpgsqlDataSource DataSource { get; }

    TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
        DataSource = new NpgsqlDataSourceBuilder(connectionString).Build();
    }

    public static async Task<TestDatabase> CreateAsync(string purpose, bool migrate = true)
    {
        var name = $"etl_test_{purpose}_{TestInfrastructure.UniqueSuffix()}".ToLowerInvariant();
        await using (var admin = new NpgsqlConnection(TestInfrastructure.PostgresAdmin))
        {
            await admin.OpenAsync();
            // Test runs of other worktrees create databases at the same time: CREATE DATABASE then fails with 55006
            // ("template1 is being accessed by other users") for a moment.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
                    await create.ExecuteNonQueryAsync();
                    break;
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 10)
                {
                    await Task.Delay(200 * attempt);
                }
            }
        }

        var builder = TestInfrastructure.AdminBuilder();
        builder.Database = name;
        builder.MaxPoolSize = 50;
        var database = new TestDatabase(name, builder.ConnectionString);
        if (migrate)
            await DatabaseMigrator.MigrateAsync(database.DataSource, CancellationToken.None);
        return database;
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        if (Environment.GetEnvironmentVariable("ETL_TEST_KEEP_DATABASES") == "1")
            return;
        await using var admin = new NpgsqlConnection(TestInfrastructure.PostgresAdmin);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
