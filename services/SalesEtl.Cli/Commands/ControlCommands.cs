using Microsoft.EntityFrameworkCore;
using SalesEtl.Contracts;
using SalesEtl.Data.Export;
using SalesEtl.Data.Runs;

namespace SalesEtl.Cli.Commands;

/// <summary><c>etl retry</c> and <c>etl cancel</c>: commands to the run's saga, by message.</summary>
public static class ControlCommands
{
    public static async Task<int> RetryAsync(CommandLine line, EtlEnvironment environment, CancellationToken cancellationToken)
    {
        line.RejectUnknown("--timeout");
        var runId = line.RunId(0);
        var run = await LoadAsync(environment, runId, cancellationToken);
        if (run is null)
            return NoSuchRun(runId);
        if (run.CurrentState != "Failed")
        {
            await Console.Error.WriteLineAsync($"Run {runId} is {run.CurrentState}; only a failed run can be retried.");
            return 1;
        }

        Console.WriteLine(runId);
        await Console.Error.WriteLineAsync($"Resuming run {runId} from its failed step ({run.FailedStep}: {run.FailureReason})");
        await environment.PublishAsync(new RetryBatchRun(runId), cancellationToken);
        var timeout = line.FollowTimeout();
        var finished = await RunCommand.FollowAsync(environment, runId, timeout, cancellationToken, resumedAfter: run.Retries);
        if (finished is null)
        {
            await Console.Error.WriteLineAsync($"The run did not finish within {timeout.TotalSeconds:0} s; follow it with: etl status {runId}");
            return 2;
        }
        RunPrinter.Summary(Console.Out, finished, await new RunExporter(environment.DataSource).QualityReportJsonAsync(runId, cancellationToken));
        return finished.CurrentState is "Succeeded" or "SucceededWithWarnings" ? 0 : 1;
    }

    public static async Task<int> CancelAsync(CommandLine line, EtlEnvironment environment, CancellationToken cancellationToken)
    {
        line.RejectUnknown("--reason");
        var runId = line.RunId(0);
        var run = await LoadAsync(environment, runId, cancellationToken);
        if (run is null)
            return NoSuchRun(runId);
        if (run.CurrentState is "Succeeded" or "SucceededWithWarnings" or RunStates.Cancelled)
        {
            await Console.Error.WriteLineAsync($"Run {runId} is already {run.CurrentState}; nothing to cancel.");
            return 1;
        }

        await environment.PublishAsync(new CancelBatchRun(runId, line.Value("--reason") ?? "cancelled with etl cancel"), cancellationToken);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            run = await LoadAsync(environment, runId, cancellationToken);
            if (run?.CurrentState == RunStates.Cancelled)
            {
                Console.WriteLine($"Run {runId} cancelled; its results are being purged.");
                return 0;
            }
            await Task.Delay(250, cancellationToken);
        }
        await Console.Error.WriteLineAsync($"The orchestrator has not confirmed the cancellation of {runId} yet; check with: etl status {runId}");
        return 2;
    }

    static async Task<BatchRunState?> LoadAsync(EtlEnvironment environment, Guid runId, CancellationToken cancellationToken)
    {
        await using var db = environment.CreateDbContext();
        return await db.BatchRuns.AsNoTracking().SingleOrDefaultAsync(r => r.CorrelationId == runId, cancellationToken);
    }

    static int NoSuchRun(Guid runId)
    {
        Console.Error.WriteLine($"No run {runId}.");
        return 1;
    }
}
