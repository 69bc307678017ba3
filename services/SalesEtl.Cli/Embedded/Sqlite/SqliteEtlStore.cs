using System.Globalization;
using System.Numerics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace SalesEtl.Cli.Embedded.Sqlite;

/// <summary>
/// The embedded mode's database: one SQLite file. Money is INTEGER cents, ratios INTEGER millionths, timestamps
/// INTEGER microseconds since the Unix epoch (UTC), so that every number is exact; <c>etl_div</c> is registered on
/// each connection and divides exactly, rounding half away from zero, like PostgreSQL's <c>etl_div</c>.
/// One writer at a time (a process-wide lock): the consumers run concurrently, SQLite has one write lock.
/// </summary>
public sealed class SqliteEtlStore
{
    readonly string connectionString;
    readonly SemaphoreSlim writeLock = new(1, 1);

    public SqliteEtlStore(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = true, DefaultTimeout = 120 }.ToString();
    }

    public string Path { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        connection.CreateFunction<long?, long?, long, long?>("etl_div", Divide, isDeterministic: true);
        connection.CreateFunction<long?, string?>("etl_month", Month, isDeterministic: true);
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> in one transaction, as the only writer.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            var result = await work(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        finally
        {
            writeLock.Release();
        }
    }

    public Task WriteAsync(Func<SqliteConnection, SqliteTransaction, Task> work, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await work(connection, transaction);
            return true;
        }, cancellationToken);

    /// <summary>Creates the file and the tables when missing (the run table through EF Core, the bulk tables by DDL).</summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        await using (var db = CreateDbContext())
            await db.Database.EnsureCreatedAsync(cancellationToken);
        await WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = SqliteSchema.Ddl;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var wal = connection.CreateCommand();
        wal.CommandText = "PRAGMA journal_mode = WAL";
        await wal.ExecuteNonQueryAsync(cancellationToken);
    }

    public EmbeddedDbContext CreateDbContext() =>
        new(new DbContextOptionsBuilder<EmbeddedDbContext>().UseSqlite(connectionString).UseSnakeCaseNamingConvention().Options);

    /// <summary>n / d rounded half away from zero to <paramref name="places"/> decimals, as an integer in units of 10^-places; null when d is 0.</summary>
    public static long? Divide(long? n, long? d, long places)
    {
        if (n is null || d is null || d == 0)
            return null;
        var absD = BigInteger.Abs(d.Value);
        var quotient = (BigInteger.Abs(n.Value) * 2 * BigInteger.Pow(10, (int)places) + absD) / (2 * absD);
        return (long)(quotient * Math.Sign(n.Value) * Math.Sign(d.Value));
    }

    static string? Month(long? micros) =>
        micros is { } value ? SqliteValues.FromMicros(value).ToString("yyyy-MM", CultureInfo.InvariantCulture) : null;
}

/// <summary>How values are stored in the embedded database.</summary>
public static class SqliteValues
{
    public const long MicrosPerDay = 86_400_000_000L;

    /// <summary>Run ids as lowercase text.</summary>
    public static string Id(Guid runId) => runId.ToString("D");

    /// <summary>Money to integer cents (PostgreSQL's numeric(18,2) rounds half away from zero too).</summary>
    public static long Cents(decimal amount) => (long)Math.Round(amount * 100m, MidpointRounding.AwayFromZero);

    public static decimal Money(long cents) => cents / 100m;

    public static decimal Scaled(long value, int places) => value / (decimal)Math.Pow(10, places);

    public static long Micros(DateTime utc) => (utc.ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks) / 10;

    public static long Micros(DateTimeOffset at) => (at.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;

    public static DateTime FromMicros(long micros) => new(DateTime.UnixEpoch.Ticks + micros * 10, DateTimeKind.Utc);
}
