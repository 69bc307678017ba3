using System.Globalization;
using System.Text.Json;
using SalesEtl.Data.Runs;

namespace SalesEtl.Cli.Commands;

/// <summary>How a run reads on the terminal: one progress line while it runs, a summary at the end.</summary>
public static class RunPrinter
{
    public static readonly string[] FinalStates = ["Succeeded", "SucceededWithWarnings", "Failed", "Cancelled"];

    public static string Progress(BatchRunState run)
    {
        var staged = run.TotalChunks is { } total ? $"{run.StagedChunks.Count}/{total}" : $"{run.StagedChunks.Count}/?";
        var transformed = run.TotalChunks is { } all ? $"{run.TransformedChunks.Count}/{all}" : $"{run.TransformedChunks.Count}/?";
        var products = run.SnapshotId is { } snapshot ? $"snapshot {snapshot}" : "syncing";
        return $"{run.CurrentState,-14} chunks staged {staged}, transformed {transformed}, products {products}, rows transformed {run.RowsTransformed:N0}";
    }

    public static void Summary(TextWriter output, BatchRunState run, string? qualityReportJson)
    {
        output.WriteLine($"Run        {run.CorrelationId}");
        output.WriteLine($"State      {run.CurrentState}{(run.Outcome is null ? "" : $" ({run.Outcome})")}");
        output.WriteLine($"Source     {run.SourcePath}");
        output.WriteLine($"As of      {run.AsOf.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}");
        if (run.CompletedAt is { } completed)
            output.WriteLine($"Duration   {(completed - run.SubmittedAt).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        if (run.FailedStep is not null)
            output.WriteLine($"Failed at  {run.FailedStep}: {run.FailureReason}");
        if (run.RowsRead is { } read)
            output.WriteLine($"Rows       {read:N0} read, {run.RowsAccepted ?? 0:N0} accepted, {run.RowsRejected ?? 0:N0} rejected, {run.DuplicatesDropped ?? 0:N0} duplicates dropped");
        if (qualityReportJson is null)
            return;

        using var report = JsonDocument.Parse(qualityReportJson);
        var root = report.RootElement;
        if (root.TryGetProperty("rejected_by_reason", out var reasons))
        {
            var nonZero = reasons.EnumerateObject().Where(r => r.Value.GetInt64() > 0).Select(r => $"{r.Name} {r.Value.GetInt64():N0}").ToList();
            if (nonZero.Count > 0)
                output.WriteLine($"Rejects    {string.Join(", ", nonZero)}");
        }
        if (root.TryGetProperty("flags", out var flags))
            output.WriteLine($"Flags      {string.Join(", ", flags.EnumerateObject().Select(f => $"{f.Name} {f.Value.GetInt64():N0}"))}");
        if (root.TryGetProperty("expectations", out var expectations))
        {
            output.WriteLine("Quality");
            foreach (var e in expectations.EnumerateArray())
            {
                var verdict = e.GetProperty("passed").GetBoolean() ? "pass" : "FAIL";
                output.WriteLine($"  {verdict,-4} {e.GetProperty("name").GetString(),-26} {e.GetProperty("observed").GetString()} (expected {e.GetProperty("threshold").GetString()}, {e.GetProperty("severity").GetString()})");
            }
        }
    }
}
