using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SalesEtl.Cli.Commands;
using SalesEtl.Cli.Embedded.Sqlite;
using SalesEtl.Contracts;
using SalesEtl.Data.Runs;

namespace SalesEtl.Cli.Embedded;

/// <summary>
/// <c>etl run|status|runs|export … --embedded [--db FILE]</c>: the whole system in this process, on a SQLite file
/// (default <c>.local/embedded.db</c>) that the later commands read.
/// </summary>
public static class EmbeddedCommands
{
    public const string Flag = "--embedded";
    public const string DefaultDatabase = ".local/embedded.db";

    public static Task<int> ExecuteAsync(CommandLine line, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(line);
        return line.Command switch
        {
            "run" => RunAsync(line, cancellationToken),
            "status" => StatusAsync(line, cancellationToken),
            "runs" => RunsAsync(line, cancellationToken),
            "export" => ExportAsync(line, cancellationToken),
            _ => throw new UsageException($"'{line.Command}' has no {Flag} mode (run, status, runs and export have)."),
        };
    }

    static SqliteEtlStore Store(CommandLine line) => new(line.Value("--db") ?? DefaultDatabase);

    static async Task<int> RunAsync(CommandLine line, CancellationToken cancellationToken)
    {
        line.RejectUnknown(Flag, "--db", "--products", "--as-of", "--chunk-size", "--timeout");
        var path = line.ExistingFile(0, "sales.csv");
        var products = ProductsFile(line.Value("--products"), path);
        var asOf = line.AsOf();
        var chunkSize = line.ChunkSize();
        var timeout = line.FollowTimeout();

        var store = Store(line);
        await store.EnsureSchemaAsync(cancellationToken);
        using var host = EmbeddedHost.Build(store, products);
        await host.StartAsync(cancellationToken);

        var runId = NewId.NextGuid();
        Console.Out.WriteLine(runId);
        Console.Out.Flush();
        var progress = new EmbeddedProgress(Console.Error, EmbeddedProgress.IsTerminal);
        await Console.Error.WriteLineAsync($"Embedded run of {path} with products {products}, database {store.Path}");

        BatchRunState? run;
        try
        {
            await host.Services.GetRequiredService<IBus>().Publish(
                new StartBatchRun(runId, path, asOf, FileCatalogHandler.BaseUrl, chunkSize, DateTimeOffset.UtcNow), cancellationToken);
            run = await FollowAsync(host.Services.GetRequiredService<SagaRunStates>(), runId, progress, timeout, cancellationToken);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
        if (run is null)
        {
            await Console.Error.WriteLineAsync($"The run did not finish within {timeout.TotalSeconds:0} s.");
            return 2;
        }

        // The saga lived in memory: its final state becomes the run's row, for status, runs and export.
        await using (var db = store.CreateDbContext())
        {
            db.BatchRuns.Add(run);
            await db.SaveChangesAsync(cancellationToken);
        }

        var exporter = new SqliteRunExporter(store);
        RunPrinter.Summary(Console.Out, run, await exporter.QualityReportJsonAsync(runId, cancellationToken));
        await EmbeddedSummary.WriteAsync(Console.Out, exporter, runId, cancellationToken);
        Console.Out.WriteLine();
        Console.Out.WriteLine($"Results in {store.Path}: etl export {runId} --out DIR --embedded{(line.Value("--db") is { } dbPath ? $" --db {dbPath}" : "")}");
        return run.CurrentState is "Succeeded" or "SucceededWithWarnings" ? 0 : 1;
    }

    static async Task<BatchRunState?> FollowAsync(SagaRunStates runs, Guid runId, EmbeddedProgress progress, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await runs.FindAsync(runId) is { } run)
            {
                var final = RunPrinter.FinalStates.Contains(run.CurrentState);
                progress.Update(run, final);
                if (final)
                    return run;
            }
            await Task.Delay(100, cancellationToken);
        }
        return null;
    }

    /// <summary>--products, else products.json next to the sales file, else the repository's samples/products.json.</summary>
    static string ProductsFile(string? option, string salesFile)
    {
        if (option is not null)
            return File.Exists(option) ? Path.GetFullPath(option) : throw new UsageException($"The products file '{Path.GetFullPath(option)}' does not exist.");
        var besides = Path.Combine(Path.GetDirectoryName(salesFile)!, "products.json");
        if (File.Exists(besides))
            return besides;
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "samples", "products.json");
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        throw new UsageException("No products file: pass --products FILE (or put products.json next to the sales file).");
    }

    static async Task<BatchRunState?> FindRunAsync(SqliteEtlStore store, Guid runId, CancellationToken cancellationToken)
    {
        if (!File.Exists(store.Path))
            return null;
        await using var db = store.CreateDbContext();
        return await db.BatchRuns.AsNoTracking().SingleOrDefaultAsync(r => r.CorrelationId == runId, cancellationToken);
    }

    static async Task<int> StatusAsync(CommandLine line, CancellationToken cancellationToken)
    {
        line.RejectUnknown(Flag, "--db");
        var runId = line.RunId(0);
        var store = Store(line);
        if (await FindRunAsync(store, runId, cancellationToken) is not { } run)
        {
            await Console.Error.WriteLineAsync($"No run {runId} in {store.Path}.");
            return 1;
        }
        RunPrinter.Summary(Console.Out, run, await new SqliteRunExporter(store).QualityReportJsonAsync(runId, cancellationToken));
        return 0;
    }

    static async Task<int> RunsAsync(CommandLine line, CancellationToken cancellationToken)
    {
        line.RejectUnknown(Flag, "--db", "--limit");
        var limit = int.TryParse(line.Value("--limit"), out var n) && n > 0 ? n : 20;
        var store = Store(line);
        var runs = new List<BatchRunState>();
        if (File.Exists(store.Path))
        {
            await using var db = store.CreateDbContext();
            // SQLite cannot order by DateTimeOffset in SQL: the embedded database is small, so order here.
            runs = [.. (await db.BatchRuns.AsNoTracking().ToListAsync(cancellationToken)).OrderByDescending(r => r.SubmittedAt).Take(limit)];
        }
        Console.WriteLine($"{"run id",-36}  {"submitted (UTC)",-19}  {"state",-21}  {"rows read",10}  {"accepted",10}  {"rejected",9}  source");
        foreach (var run in runs)
            Console.WriteLine($"{run.CorrelationId,-36}  {run.SubmittedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}  {run.CurrentState,-21}  {run.RowsRead,10:N0}  {run.RowsAccepted,10:N0}  {run.RowsRejected,9:N0}  {run.SourcePath}");
        return 0;
    }

    static async Task<int> ExportAsync(CommandLine line, CancellationToken cancellationToken)
    {
        line.RejectUnknown(Flag, "--db", "--out");
        var runId = line.RunId(0);
        var outDir = Path.GetFullPath(line.Value("--out") ?? throw new UsageException("export needs --out DIR."));
        var store = Store(line);
        if (await FindRunAsync(store, runId, cancellationToken) is not { } run)
        {
            await Console.Error.WriteLineAsync($"No run {runId} in {store.Path}.");
            return 1;
        }
        if (run.CurrentState is not ("Succeeded" or "SucceededWithWarnings"))
            await Console.Error.WriteLineAsync($"Note: run {runId} is {run.CurrentState}; its tables may be empty or partial.");
        var files = await new SqliteRunExporter(store).ExportAsync(runId, outDir, cancellationToken);
        Console.WriteLine($"Wrote {files.Count} files to {outDir}");
        return 0;
    }
}
