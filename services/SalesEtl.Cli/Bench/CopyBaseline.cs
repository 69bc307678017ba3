using System.Diagnostics;
using System.Text;
using Npgsql;

namespace SalesEtl.Cli.Bench;

/// <summary>
/// The physical limit the bench compares with: PostgreSQL's own CSV <c>COPY</c> of the same file into a table of
/// text columns (one per header field), through <c>psql \copy</c> as a data engineer would run it.
/// </summary>
public static class CopyBaseline
{
    public const string Table = "copy_baseline";

    /// <summary>Creates the all-text table with as many columns as the file's header; returns that count.</summary>
    public static async Task<int> CreateTableAsync(NpgsqlDataSource dataSource, string salesFile, CancellationToken cancellationToken)
    {
        string header;
        using (var reader = new StreamReader(salesFile, Encoding.UTF8, detectEncodingFromByteOrderMarks: true))
            header = await reader.ReadLineAsync(cancellationToken) ?? "";
        var fields = header.Split(',').Length;
        var columns = string.Join(", ", Enumerable.Range(1, fields).Select(i => $"c{i} text"));
        await using var command = dataSource.CreateCommand($"DROP TABLE IF EXISTS {Table}; CREATE TABLE {Table} ({columns})");
        await command.ExecuteNonQueryAsync(cancellationToken);
        return fields;
    }

    /// <summary>Seconds that <c>psql \copy</c> of the file takes (the table is emptied by the caller).</summary>
    public static async Task<double> TimeAsync(string connectionString, string salesFile, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var info = new ProcessStartInfo("psql")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[]
                 {
                     "-X", "-q", "-v", "ON_ERROR_STOP=1",
                     "-h", builder.Host ?? "localhost", "-p", builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "-U", builder.Username ?? "etl", "-d", builder.Database ?? "postgres",
                     "-c", $"\\copy {Table} FROM '{salesFile.Replace("'", "''", StringComparison.Ordinal)}' WITH (FORMAT csv, HEADER true)",
                 })
        {
            info.ArgumentList.Add(arg);
        }
        if (builder.Password is { } password)
            info.Environment["PGPASSWORD"] = password;
        // The services' transport, so that the ratio compares like with like (BenchCommand.BenchConnection).
        info.Environment["PGSSLMODE"] = builder.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Allow => "allow",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        };

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("psql could not be started.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var seconds = watch.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"psql \\copy failed ({process.ExitCode}): {await stderr}{await stdout}");
        return seconds;
    }
}
