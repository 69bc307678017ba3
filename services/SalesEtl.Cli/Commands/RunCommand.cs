using MassTransit;
using Microsoft.EntityFrameworkCore;
using SalesEtl.Contracts;
using SalesEtl.Data.Export;
using SalesEtl.Data.Runs;

namespace SalesEtl.Cli.Commands;

/// <summary><c>etl run &lt;sales.csv&gt;</c>: starts a run by message, follows it, prints a summary; exit 0 only on success.</summary>
public static class RunCommand
{
    public static async Task<int> ExecuteAsync(CommandLine line, EtlEnvironment environment, CancellationToken cancellationToken)
    {
        line.RejectUnknown("--as-of", "--products-url", "--chunk-size", "--timeout");
        var path = line.ExistingFile(0, "sales.csv");
        if (environment.InputPaths?.Check(path, out _) is { } refused)
            throw new UsageException(refused);
        var asOf = line.AsOf();
        var chunkSize = line.ChunkSize();
        var timeout = line.FollowTimeout();
        var productsUrl = line.Value("--products-url") ?? environment.DefaultProductsUrl;

        var runId = NewId.NextGuid();
        Console.Out.WriteLine(runId);
        Console.Out.Flush();
        await environment.PublishAsync(new StartBatchRun(runId, path, asOf, productsUrl, chunkSize, DateTimeOffset.UtcNow), cancellationToken);

        var run = await FollowAsync(environment, runId, timeout, cancellationToken);
        if (run is null)
        {
            await Console.Error.WriteLineAsync($"The run did not finish within {timeout.TotalSeconds:0} s; follow it with: etl status {runId}");
            return 2;
        }

        var report = await new RunExporter(environment.DataSource).QualityReportJsonAsync(runId, cancellationToken);
        RunPrinter.Summary(Console.Out, run, report);
        return run.CurrentState is "Succeeded" or "SucceededWithWarnings" ? 0 : 1;
    }

    /// <summary>Polls the run's row until it reaches a final state, writing progress to stderr when it changes.</summary>
    /// <param name="resumedAfter">For a retried run: its retry count before the retry, so that the old final state is not taken for the new one.</param>
    public static async Task<BatchRunState?> FollowAsync(EtlEnvironment environment, Guid runId, TimeSpan timeout, CancellationToken cancellationToken, int? resumedAfter = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        string? lastProgress = null;
        var waitingSince = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            BatchRunState? run;
            try
            {
                await using var db = environment.CreateDbContext();
                run = await db.BatchRuns.AsNoTracking().SingleOrDefaultAsync(r => r.CorrelationId == runId, cancellationToken);
            }
            catch (Exception exception) when (exception is Npgsql.NpgsqlException or InvalidOperationException { InnerException: Npgsql.NpgsqlException })
            {
                // PostgreSQL restarting is not the run failing: keep following until it answers again.
                await Console.Error.WriteLineAsync($"PostgreSQL is not answering ({exception.Message}); still following the run…");
                await Task.Delay(1000, cancellationToken);
                continue;
            }

            if (run is not null)
            {
                var progress = RunPrinter.Progress(run);
                if (progress != lastProgress)
                    await Console.Error.WriteLineAsync(progress);
                lastProgress = progress;
                if (RunPrinter.FinalStates.Contains(run.CurrentState) && (resumedAfter is null || run.Retries > resumedAfter))
                    return run;
            }
            else if (DateTime.UtcNow - waitingSince > TimeSpan.FromSeconds(10))
            {
                await Console.Error.WriteLineAsync("Waiting for the orchestrator to pick up the run (is it running? deploy/local/up.sh starts it)…");
                waitingSince = DateTime.UtcNow;
            }
            await Task.Delay(250, cancellationToken);
        }
        return null;
    }
}
