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
        if (root.TryGetProperty("schema_drift", out var drift))
            PrintDrift(output, drift);
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

    // "Drift      sales file: extra columns notes, store_region; required columns reordered" and the like.
    static void PrintDrift(TextWriter output, JsonElement drift)
    {
        var lines = new List<string>();
        if (drift.TryGetProperty("sales_file", out var sales) && sales.ValueKind == JsonValueKind.Object)
        {
            var parts = new List<string>();
            var extra = Names(sales, "extra_columns");
            if (extra.Count > 0)
                parts.Add($"extra columns {string.Join(", ", extra)}");
            if (!sales.GetProperty("required_in_spec_order").GetBoolean())
                parts.Add("required columns reordered");
            lines.Add($"sales file: {(parts.Count == 0 ? "none" : string.Join("; ", parts))}");
        }
        if (drift.TryGetProperty("product_api", out var api) && api.ValueKind == JsonValueKind.Object)
        {
            var parts = new List<string>();
            var added = Names(api, "added_fields");
            var missing = Names(api, "missing_fields");
            if (added.Count > 0)
                parts.Add($"added fields {string.Join(", ", added)}");
            if (missing.Count > 0)
                parts.Add($"missing fields {string.Join(", ", missing)}");
            var partial = api.GetProperty("partial_fields").EnumerateObject().Select(p => $"{p.Name} in {p.Value.GetInt32():N0}").ToList();
            if (partial.Count > 0)
                parts.Add($"of {api.GetProperty("items").GetInt32():N0} items only some have {string.Join(", ", partial)}");
            lines.Add($"product API: {(parts.Count == 0 ? "none" : string.Join("; ", parts))}");
        }
        for (var i = 0; i < lines.Count; i++)
            output.WriteLine($"{(i == 0 ? "Drift" : ""),-10} {lines[i]}");
    }

    static List<string> Names(JsonElement parent, string property) =>
        [.. parent.GetProperty(property).EnumerateArray().Select(e => e.GetString() ?? "")];
}
