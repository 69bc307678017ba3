using System.Globalization;
using Microsoft.EntityFrameworkCore;
using SalesEtl.Data.Export;

namespace SalesEtl.Cli.Commands;

/// <summary><c>etl status</c>, <c>etl runs</c> and <c>etl export</c>: reads of the results.</summary>
public static class QueryCommands
{
    public static async Task<int> StatusAsync(CommandLine line, EtlEnvironment environment, CancellationToken cancellationToken)
    {
        line.RejectUnknown();
        var runId = line.RunId(0);
        await using var db = environment.CreateDbContext();
        var run = await db.BatchRuns.AsNoTracking().SingleOrDefaultAsync(r => r.CorrelationId == runId, cancellationToken);
        if (run is null)
        {
            await Console.Error.WriteLineAsync($"No run {runId}.");
            return 1;
        }
        if (!RunPrinter.FinalStates.Contains(run.CurrentState))
            Console.WriteLine(RunPrinter.Progress(run));
        RunPrinter.Summary(Console.Out, run, await new RunExporter(environment.DataSource).QualityReportJsonAsync(runId, cancellationToken));
        return 0;
    }

    public static async Task<int> RunsAsync(CommandLine line, EtlEnvironment environment, CancellationToken cancellationToken)
    {
        line.RejectUnknown("--limit");
        var limit = int.TryParse(line.Value("--limit"), out var n) && n > 0 ? n : 20;
        await using var db = environment.CreateDbContext();
        var runs = await db.BatchRuns.AsNoTracking().OrderByDescending(r => r.SubmittedAt).Take(limit).ToListAsync(cancellationToken);
        Console.WriteLine($"{"run id",-36}  {"submitted (UTC)",-19}  {"state",-21}  {"rows read",10}  {"accepted",10}  {"rejected",9}  {"seconds",7}  source");
        foreach (var run in runs)
        {
            var seconds = run.CompletedAt is { } done ? (done - run.SubmittedAt).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) : "";
            Console.WriteLine($"{run.CorrelationId,-36}  {run.SubmittedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}  {run.CurrentState,-21}  {run.RowsRead,10:N0}  {run.RowsAccepted,10:N0}  {run.RowsRejected,9:N0}  {seconds,7}  {run.SourcePath}");
        }
        return 0;
    }

    public static async Task<int> ExportAsync(CommandLine line, EtlEnvironment environment, CancellationToken cancellationToken)
    {
        line.RejectUnknown("--out");
        var runId = line.RunId(0);
        var outDir = Path.GetFullPath(line.Value("--out") ?? throw new UsageException("export needs --out DIR."));
        await using (var db = environment.CreateDbContext())
        {
            var run = await db.BatchRuns.AsNoTracking().SingleOrDefaultAsync(r => r.CorrelationId == runId, cancellationToken);
            if (run is null)
            {
                await Console.Error.WriteLineAsync($"No run {runId}.");
                return 1;
            }
            if (run.CurrentState is not ("Succeeded" or "SucceededWithWarnings"))
                await Console.Error.WriteLineAsync($"Note: run {runId} is {run.CurrentState}; its tables may be empty or partial.");
        }
        var files = await new RunExporter(environment.DataSource).ExportAsync(runId, outDir, cancellationToken);
        Console.WriteLine($"Wrote {files.Count} files to {outDir}");
        return 0;
    }
}
