using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Npgsql;
using SalesEtl.Contracts;
using SalesEtl.Data;
using SalesEtl.Data.Runs;
using SalesEtl.ServiceDefaults;

namespace SalesEtl.Cli.Bench;

/// <summary>
/// <c>etl bench --rows N</c>: generates a file, starts the whole distributed system as processes on a database and
/// a virtual host of its own, runs the file R times, and in each run also times <c>psql \copy</c> of the same file
/// into an all-text table. Prints one table and writes one JSON file.
/// </summary>
public static class BenchCommand
{
    /// <summary>Options without a value (a flag not listed took the next option as its value: <c>--keep --out X</c> lost <c>--out</c>).</summary>
    public static readonly string[] Flags = ["--keep"];

    public const string Usage = """
      etl bench --rows N [--transformers K] [--runs R] [--warmup W] [--out bench.json] [--chunk-size N]
                [--file sales.csv --products products.json] [--services DIR] [--work-dir DIR] [--keep]
                [--products-delay-ms MS]
            generate N rows (or take --file), start every service as a process on a database and a virtual host
            of its own (services published into .local/bench/publish, or taken from --services DIR), run the file
            R times (default 3) after W warm-up runs (default 1; services just started spend their first runs
            JIT-compiling, long-running ones do it once: the warm-up runs are reported, not in the medians), and time
            psql \copy of the same file in each run; prints a table, writes JSON.
            --products-delay-ms holds the product API back (catalog latency) so that the transform step starts only
            after ingest: its time is then the transformers' alone (to compare --transformers 1 and 2)
    """;

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task<int> ExecuteAsync(CommandLine line, CancellationToken cancellationToken)
    {
        line.RejectUnknown("--rows", "--transformers", "--runs", "--warmup", "--out", "--chunk-size", "--file", "--products", "--services", "--work-dir", "--keep", "--products-delay-ms");
        var rows = PositiveLong(line, "--rows", null);
        var transformers = (int)PositiveLong(line, "--transformers", 1);
        var runs = (int)PositiveLong(line, "--runs", 3);
        var warmups = line.Has("--warmup") ? (int)NonNegativeLong(line, "--warmup") : 1;
        int? chunkSize = line.Has("--chunk-size") ? (int)PositiveLong(line, "--chunk-size", null) : null;
        var outPath = Path.GetFullPath(line.Value("--out") ?? "bench.json");
        var workDir = Path.GetFullPath(line.Value("--work-dir") ?? Path.Combine(Path.GetTempPath(), "sales-etl-bench"));
        Directory.CreateDirectory(workDir);
        var log = Console.Error;

        var settings = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var adminConnection = BenchConnection(settings.GetConnectionString(EtlDatabase.ConnectionStringName) ?? EtlDatabase.LocalConnectionString);
        var sslMode = new NpgsqlConnectionStringBuilder(adminConnection).SslMode;
        var rabbit = new RabbitMqOptions();
        settings.GetSection(RabbitMqOptions.Section).Bind(rabbit);
        var management = new Uri(settings["RabbitMq:ManagementUrl"] ?? $"http://{rabbit.Host}:15672");

        // The generator: one line to swap.
        ISalesFileGenerator generator = new BenchSalesGenerator();
        string salesFile;
        string productsFile;
        double? generateSeconds = null;
        if (line.Value("--file") is { } given)
        {
            salesFile = Path.GetFullPath(given);
            productsFile = Path.GetFullPath(line.Value("--products") ?? throw new UsageException("--file needs --products."));
            rows = 0;
        }
        else
        {
            if (rows <= 0)
                throw new UsageException("--rows N is required (or --file).");
            salesFile = Path.Combine(workDir, $"sales_{rows}.csv");
            productsFile = Path.Combine(workDir, $"products_{rows}.json");
            var marker = salesFile + ".done";
            if (!File.Exists(marker) || !File.Exists(productsFile))
            {
                log.WriteLine($"bench: generating {rows:N0} rows into {salesFile}");
                var watch = Stopwatch.StartNew();
                await generator.WriteAsync(salesFile, productsFile, rows, cancellationToken);
                generateSeconds = watch.Elapsed.TotalSeconds;
                await File.WriteAllTextAsync(marker, generator.GetType().Name, cancellationToken);
            }
        }
        var fileBytes = new FileInfo(salesFile).Length;

        var servicesRoot = line.Value("--services") is { } services
            ? Path.GetFullPath(services)
            : await BenchPublisher.PublishAsync(BenchPublisher.FindRepositoryRoot(), log, cancellationToken);

        var extra = new Dictionary<string, string>();
        var productsDelay = line.Has("--products-delay-ms") ? PositiveLong(line, "--products-delay-ms", null) : 0;
        if (productsDelay > 0)
        {
            extra["Catalog__Faults__LatencyMs"] = productsDelay.ToString(CultureInfo.InvariantCulture);
            extra["ProductSync__AttemptTimeout"] = TimeSpan.FromMilliseconds(productsDelay + 30_000).ToString("c", CultureInfo.InvariantCulture);
            extra["ProductSync__TotalTimeout"] = TimeSpan.FromMilliseconds((productsDelay * 3) + 120_000).ToString("c", CultureInfo.InvariantCulture);
        }
        // A folder per bench: two benches on one machine (another engineer's, a helper's) must not write into each other's logs.
        var logs = Path.Combine(workDir, "logs", string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}"));
        log.WriteLine($"bench: service logs in {logs}");
        await using var topology = await BenchTopology.StartAsync(servicesRoot, logs, adminConnection, rabbit, management,
            productsFile, transformers, extra, line.Has("--keep"), log, cancellationToken);
        // What each service spent starting (JIT, migrations, connections), apart from what the runs then cost.
        var startCpu = topology.Processes.ToDictionary(p => p.Name, p => p.CpuSeconds() is { } s ? Math.Round(s, 2) : (double?)null);
        await using var dataSource = new NpgsqlDataSourceBuilder(topology.ConnectionString).Build();
        var headerFields = await CopyBaseline.CreateTableAsync(dataSource, salesFile, cancellationToken);

        var busOptions = new RabbitMqOptions
        {
            Host = rabbit.Host, Port = rabbit.Port, Username = rabbit.Username, Password = rabbit.Password, VirtualHost = topology.VirtualHost,
        };
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.ConfigureEtlRabbitMq(busOptions));
        await bus.StartAsync(cancellationToken);
        var results = new List<BenchRun>();
        var warmupResults = new List<BenchRun>();
        BenchReport Report(List<BenchRun> done) =>
            BenchReport.Create(rows, fileBytes, headerFields, transformers, chunkSize, productsDelay, generateSeconds, salesFile, generator.GetType().Name, sslMode.ToString(), startCpu, warmupResults, done);
        try
        {
            // Warm-up runs are numbered 1 - W .. 0.
            for (var run = 1 - warmups; run <= runs; run++)
            {
                await ClearAsync(dataSource, cancellationToken);
                var copySeconds = await CopyBaseline.TimeAsync(topology.ConnectionString, salesFile, cancellationToken);
                await ClearAsync(dataSource, cancellationToken);

                foreach (var process in topology.Processes)
                    process.ResetPeak();
                var cpuBefore = topology.Processes.ToDictionary(p => p.Name, p => p.CpuSeconds());
                var runId = NewId.NextGuid();
                var watch = Stopwatch.StartNew();
                await bus.Publish(new StartBatchRun(runId, salesFile, generator.AsOf, null, chunkSize, DateTimeOffset.UtcNow), cancellationToken);
                var state = await WaitAsync(dataSource, runId, topology, cancellationToken);
                var wall = watch.Elapsed.TotalSeconds;
                var peaks = topology.Processes.ToDictionary(p => p.Name, p => p.PeakRssBytes() is { } b ? Math.Round(b / 1048576.0, 1) : (double?)null);
                var cpu = topology.Processes.ToDictionary(p => p.Name,
                    p => p.CpuSeconds() is { } after && cpuBefore[p.Name] is { } before ? Math.Round(after - before, 2) : (double?)null);

                var result = BenchRun.From(run, state, wall, copySeconds, peaks, cpu);
                (run > 0 ? results : warmupResults).Add(result);
                log.WriteLine($"bench: {(run > 0 ? $"run {run}/{runs}" : $"warm-up {warmups + run}/{warmups}")}: {state.CurrentState} in {wall:0.00} s ({result.RowsPerSecond:N0} rows/s), \\copy {copySeconds:0.00} s, ratio {result.RatioToCopy:0.00}");
                // Written after every run: the servers are shared, and a restart by someone else must not lose the runs done.
                await WriteReportAsync(outPath, Report(results), cancellationToken);
                if (state.CurrentState is not ("Succeeded" or "SucceededWithWarnings"))
                    break;
            }
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }

        var report = Report(results);
        await WriteReportAsync(outPath, report, cancellationToken);
        BenchReport.Print(Console.Out, report);
        Console.Out.WriteLine($"JSON: {outPath}");
        return results.Count == runs && results.All(r => r.Succeeded) ? 0 : 1;
    }

    static async Task WriteReportAsync(string outPath, BenchReport report, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
        await File.WriteAllTextAsync(outPath, JsonSerializer.Serialize(report, Json), cancellationToken);
    }

    static long NonNegativeLong(CommandLine line, string option) =>
        long.TryParse(line.Value(option), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"{option} needs a whole number of 0 or more.");

    /// <summary>
    /// The bench's connection: to the <c>postgres</c> database, and without TLS to a PostgreSQL on this machine unless the
    /// connection string asks for a mode. Npgsql's default (Prefer) encrypts loopback traffic when the server offers TLS
    /// (Debian's does), which cost the pipeline about 2.8 CPU seconds of a 10 M-row run (a perf profile) and protects
    /// nothing on loopback; <c>psql \copy</c> is always run with the same mode (<see cref="CopyBaseline"/>), so the ratio
    /// compares like with like.
    /// </summary>
    public static string BenchConnection(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres" };
        var modeGiven = given.ContainsKey("SSL Mode") || given.ContainsKey("SslMode") || given.ContainsKey("sslmode");
        if (!modeGiven && IsLoopback(builder.Host))
            builder.SslMode = SslMode.Disable;
        return builder.ConnectionString;
    }

    static bool IsLoopback(string? host) =>
        host is null or "localhost" || (System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address));

    static long PositiveLong(CommandLine line, string option, long? fallback)
    {
        var text = line.Value(option);
        if (text is null)
            return fallback ?? 0;
        return long.TryParse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new UsageException($"{option} must be a positive whole number.");
    }

    // The bench database is the bench's own: emptying the bulk tables gives every run the same start.
    static async Task ClearAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using (var command = dataSource.CreateCommand("TRUNCATE copy_baseline, staged_chunks, transformed_sales, rejected_rows, duplicate_rows, fact_sales, transformed_chunks"))
        {
            command.CommandTimeout = 0;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        // Vacuums now what the previous step inserted (the result tables keep every run's rows: customer_frequency grows
        // by 2 M rows a 10 M-row run), so that the autovacuum it would trigger does not take a core from the next step:
        // a VACUUM ANALYZE of customer_frequency was seen running through the first 12 s of a measured run.
        await using (var vacuum = dataSource.CreateCommand("VACUUM (ANALYZE)"))
        {
            vacuum.CommandTimeout = 0;
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var autovacuum = dataSource.CreateCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' AND datname = current_database()"))
        {
            for (var wait = 0; wait < 600 && (long)(await autovacuum.ExecuteScalarAsync(cancellationToken))! > 0; wait++)
                await Task.Delay(500, cancellationToken);
        }
        try
        {
            // Writes the dirty pages of the previous step now rather than during the next one (superusers only).
            await using var checkpoint = dataSource.CreateCommand("CHECKPOINT");
            checkpoint.CommandTimeout = 0;
            await checkpoint.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException)
        {
        }
    }

    static async Task<BatchRunState> WaitAsync(NpgsqlDataSource dataSource, Guid runId, BenchTopology topology, CancellationToken cancellationToken)
    {
        await using var db = EtlDatabase.CreateContext(dataSource);
        while (true)
        {
            var run = await db.BatchRuns.AsNoTracking().SingleOrDefaultAsync(r => r.CorrelationId == runId, cancellationToken);
            if (run is not null && Commands.RunPrinter.FinalStates.Contains(run.CurrentState))
                return run;
            if (topology.Processes.FirstOrDefault(p => p.HasExited) is { } dead)
                throw new InvalidOperationException($"{dead.Name} exited during the run; see {dead.LogPath}.");
            await Task.Delay(100, cancellationToken);
        }
    }
}
