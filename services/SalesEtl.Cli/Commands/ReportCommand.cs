using SalesEtl.Data.Reports;

namespace SalesEtl.Cli.Commands;

/// <summary><c>etl report &lt;run-id&gt; --out report.html [--top N]</c>: the run's report as one self-contained HTML page.</summary>
public static class ReportCommand
{
    public static async Task<int> ExecuteAsync(CommandLine line, EtlEnvironment environment, CancellationToken cancellationToken)
    {
        line.RejectUnknown("--out", "--top");
        var runId = line.RunId(0);
        var outFile = Path.GetFullPath(line.Value("--out") ?? throw new UsageException("report needs --out FILE."));
        var top = RunReportReader.DefaultTopProducts;
        if (line.Value("--top") is { } topText && (!int.TryParse(topText, out top) || top is < 1 or > 100))
            throw new UsageException("--top must be a number from 1 to 100.");

        var report = await new RunReportReader(environment.DataSource).LoadAsync(runId, top, cancellationToken);
        if (report is null)
        {
            await Console.Error.WriteLineAsync($"No run {runId}.");
            return 1;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(outFile)!);
        await File.WriteAllTextAsync(outFile, RunReportPage.Render(report, DateTimeOffset.UtcNow), new System.Text.UTF8Encoding(false), cancellationToken);
        Console.WriteLine($"Wrote the report of run {runId} ({report.Run.Outcome ?? report.Run.CurrentState}) to {outFile}");
        return 0;
    }
}
