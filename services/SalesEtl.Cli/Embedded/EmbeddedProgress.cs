using System.Globalization;
using SalesEtl.Cli.Commands;
using SalesEtl.Data.Runs;

namespace SalesEtl.Cli.Embedded;

/// <summary>
/// Progress of an embedded run on stderr: on a terminal one bar per step (ingest, products, transform, load),
/// redrawn in place; when output is redirected, a plain line each time the progress changes.
/// </summary>
public sealed class EmbeddedProgress(TextWriter output, bool interactive)
{
    const int Width = 30;
    string? last;
    bool drawn;

    public static bool IsTerminal => !Console.IsOutputRedirected && !Console.IsErrorRedirected;

    public void Update(BatchRunState run, bool final = false)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (!interactive)
        {
            var line = RunPrinter.Progress(run);
            if (line != last)
                output.WriteLine(line);
            last = line;
            return;
        }

        var lines = Lines(run, final);
        var text = string.Join('\n', lines);
        if (text == last)
            return;
        last = text;
        if (drawn)
            output.Write($"\u001b[{lines.Count}A");
        foreach (var line in lines)
            output.Write($"\r\u001b[2K{line}\n");
        output.Flush();
        drawn = true;
    }

    static List<string> Lines(BatchRunState run, bool final)
    {
        var total = run.TotalChunks;
        var failed = run.CurrentState is "Failed" or "Cancelled";
        var loaded = final && !failed;
        return
        [
            Bar("ingest", run.IngestedAt is not null ? 1 : Fraction(run.StagedChunks.Count, total, run.StagedChunks.Count > 0 ? 0.5 : 0),
                $"{run.StagedChunks.Count}/{total?.ToString(CultureInfo.InvariantCulture) ?? "?"} chunks staged"),
            Bar("products", run.SnapshotId is not null ? 1 : 0, run.SnapshotId is { } snapshot ? $"snapshot {snapshot}" : "syncing"),
            Bar("transform", Fraction(run.TransformedChunks.Count, total, 0),
                $"{run.TransformedChunks.Count}/{total?.ToString(CultureInfo.InvariantCulture) ?? "?"} chunks, {run.RowsTransformed:N0} rows"),
            Bar("load", loaded ? 1 : 0, loaded ? run.CurrentState : failed ? $"{run.CurrentState} at {run.FailedStep}" : run.CurrentState == "Loading" ? "loading metrics" : "waiting"),
        ];
    }

    static double Fraction(int done, int? total, double unknown) => total is > 0 ? Math.Min(1, done / (double)total.Value) : total == 0 ? 1 : unknown;

    static string Bar(string step, double fraction, string detail)
    {
        var filled = (int)Math.Round(fraction * Width);
        return $"{step,-10} [{new string('█', filled)}{new string('░', Width - filled)}] {fraction * 100,3:0}%  {detail}";
    }
}
