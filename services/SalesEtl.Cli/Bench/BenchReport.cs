using System.Globalization;
using SalesEtl.Data.Runs;

namespace SalesEtl.Cli.Bench;

/// <summary>
/// Step times of one run, in seconds, from the run's row (<c>batch_runs</c>). Ingest and product sync both start at
/// submission and run in parallel; transform starts once the snapshot is there and overlaps ingest (chunks are
/// dispatched as they are staged), so it is measured from the snapshot to the last chunk, and
/// <see cref="TransformAfterIngest"/> is the part that outlasts ingest; metrics is the tail after the last chunk.
/// </summary>
public sealed record BenchSteps(double? Ingest, double? ProductSync, double? Transform, double? TransformAfterIngest, double? Metrics)
{
    public static BenchSteps From(BatchRunState run)
    {
        static double? Between(DateTimeOffset? from, DateTimeOffset? to) =>
            from is { } a && to is { } b ? Math.Round((b - a).TotalSeconds, 3) : null;
        var transformStart = run.ProductsSyncedAt is { } synced && synced > run.SubmittedAt ? synced : run.SubmittedAt;
        return new BenchSteps(
            Between(run.SubmittedAt, run.IngestedAt),
            Between(run.SubmittedAt, run.ProductsSyncedAt),
            Between(transformStart, run.TransformedAt),
            Between(run.IngestedAt, run.TransformedAt),
            Between(run.TransformedAt, run.CompletedAt));
    }
}

public sealed record BenchRun(
    int Run,
    Guid RunId,
    string State,
    bool Succeeded,
    long RowsRead,
    long? RowsAccepted,
    long? RowsRejected,
    long? DuplicatesDropped,
    double WallSeconds,
    double RunSeconds,
    double RowsPerSecond,
    BenchSteps Steps,
    double CopySeconds,
    double RatioToCopy,
    IReadOnlyDictionary<string, double?> PeakRssMib,
    IReadOnlyDictionary<string, double?> CpuSeconds)
{
    /// <param name="cpuSeconds">CPU seconds (user + system) each service used from the run's submission to its final state.</param>
    public static BenchRun From(int run, BatchRunState state, double wallSeconds, double copySeconds,
        IReadOnlyDictionary<string, double?> peaks, IReadOnlyDictionary<string, double?> cpuSeconds)
    {
        var rows = state.RowsRead ?? 0;
        var runSeconds = state.CompletedAt is { } done ? (done - state.SubmittedAt).TotalSeconds : wallSeconds;
        return new BenchRun(run, state.CorrelationId, state.CurrentState, state.CurrentState is "Succeeded" or "SucceededWithWarnings",
            rows, state.RowsAccepted, state.RowsRejected, state.DuplicatesDropped,
            Math.Round(wallSeconds, 3), Math.Round(runSeconds, 3), Math.Round(rows / wallSeconds, 0), BenchSteps.From(state),
            Math.Round(copySeconds, 3), Math.Round(wallSeconds / copySeconds, 2), peaks, cpuSeconds);
    }
}

/// <summary>
/// What <c>etl bench</c> writes as JSON: the medians over the measured runs, each run, the warm-up runs before them
/// (not in the medians: freshly started services JIT-compile their hot paths during the first runs, which long-running
/// services do once), and the machine. Peak RSS is the largest of every run, warm-up runs included.
/// </summary>
public sealed record BenchReport(
    string Generator,
    string File,
    long FileBytes,
    long Rows,
    int HeaderFields,
    int Transformers,
    int? ChunkSize,
    long ProductsDelayMs,
    double? GenerateSeconds,
    int Runs,
    int WarmupRuns,
    BenchMedians Median,
    IReadOnlyDictionary<string, double?> PeakRssMib,
    IReadOnlyDictionary<string, double?> StartCpuSeconds,
    IReadOnlyDictionary<string, double?> MedianCpuSeconds,
    IReadOnlyList<BenchRun> RunResults,
    IReadOnlyList<BenchRun> WarmupResults,
    BenchMachine Machine)
{
    public static BenchReport Create(long rows, long fileBytes, int headerFields, int transformers, int? chunkSize, long productsDelayMs, double? generateSeconds,
        string file, string generator, string postgresSslMode, IReadOnlyDictionary<string, double?> startCpuSeconds, IReadOnlyList<BenchRun> warmups,
        IReadOnlyList<BenchRun> runs)
    {
        static double? Median(IEnumerable<double?> values)
        {
            var sorted = values.Where(v => v.HasValue).Select(v => v!.Value).Order().ToList();
            if (sorted.Count == 0)
                return null;
            var middle = sorted.Count / 2;
            return Math.Round(sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2, 3);
        }

        var median = new BenchMedians(
            Median(runs.Select(r => (double?)r.WallSeconds)),
            Median(runs.Select(r => (double?)r.RowsPerSecond)),
            Median(runs.Select(r => (double?)r.CopySeconds)),
            Median(runs.Select(r => (double?)r.RatioToCopy)),
            new BenchSteps(
                Median(runs.Select(r => r.Steps.Ingest)),
                Median(runs.Select(r => r.Steps.ProductSync)),
                Median(runs.Select(r => r.Steps.Transform)),
                Median(runs.Select(r => r.Steps.TransformAfterIngest)),
                Median(runs.Select(r => r.Steps.Metrics))));
        var peaks = warmups.Concat(runs).SelectMany(r => r.PeakRssMib).GroupBy(p => p.Key)
            .ToDictionary(g => g.Key, g => g.Max(p => p.Value));
        var cpu = runs.SelectMany(r => r.CpuSeconds).GroupBy(p => p.Key)
            .ToDictionary(g => g.Key, g => Median(g.Select(p => p.Value)));
        var rowsRead = rows > 0 ? rows : runs.Concat(warmups).FirstOrDefault()?.RowsRead ?? 0;
        return new BenchReport(generator, file, fileBytes, rowsRead, headerFields, transformers, chunkSize, productsDelayMs, generateSeconds, runs.Count,
            warmups.Count, median, peaks, startCpuSeconds, cpu, runs, warmups, BenchMachine.Current(postgresSslMode));
    }

    public static void Print(TextWriter output, BenchReport report)
    {
        var c = CultureInfo.InvariantCulture;
        string S(double? value) => value is { } v ? v.ToString("0.00", c) : "-";
        output.WriteLine();
        output.WriteLine(string.Create(c, $"SalesEtl bench: {report.Rows:N0} rows ({report.FileBytes / 1048576.0:0.0} MiB), {report.Transformers} transformer(s), {report.Runs} run(s) after {report.WarmupRuns} warm-up run(s), {report.Machine.Cores} cores"));
        output.WriteLine();
        output.WriteLine("| run | wall s | rows/s | ingest s | products s | transform s | after ingest s | metrics s | \\copy s | ours/copy |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var run in report.WarmupResults.Concat(report.RunResults))
            output.WriteLine(string.Create(c, $"| {(run.Run > 0 ? run.Run.ToString(c) : $"warm-up {report.WarmupRuns + run.Run}")} | {S(run.WallSeconds)} | {run.RowsPerSecond:N0} | {S(run.Steps.Ingest)} | {S(run.Steps.ProductSync)} | {S(run.Steps.Transform)} | {S(run.Steps.TransformAfterIngest)} | {S(run.Steps.Metrics)} | {S(run.CopySeconds)} | {S(run.RatioToCopy)} |"));
        var m = report.Median;
        output.WriteLine(string.Create(c, $"| median | {S(m.WallSeconds)} | {m.RowsPerSecond:N0} | {S(m.Steps.Ingest)} | {S(m.Steps.ProductSync)} | {S(m.Steps.Transform)} | {S(m.Steps.TransformAfterIngest)} | {S(m.Steps.Metrics)} | {S(m.CopySeconds)} | {S(m.RatioToCopy)} |"));
        output.WriteLine();
        output.WriteLine("| service | peak RSS MiB | CPU s to start | CPU s per run (median) |");
        output.WriteLine("|---|---|---|---|");
        foreach (var (service, mib) in report.PeakRssMib)
            output.WriteLine(string.Create(c,
                $"| {service} | {(mib is { } v ? v.ToString("0.0", c) : "-")} | {S(report.StartCpuSeconds.GetValueOrDefault(service))} | {S(report.MedianCpuSeconds.GetValueOrDefault(service))} |"));
        output.WriteLine();
    }
}

public sealed record BenchMedians(double? WallSeconds, double? RowsPerSecond, double? CopySeconds, double? RatioToCopy, BenchSteps Steps);

/// <param name="PostgresSslMode">The SSL mode of every connection to PostgreSQL, the services' and <c>psql \copy</c>'s alike.</param>
public sealed record BenchMachine(int Cores, string Os, string Runtime, string? PostgresVersion, string PostgresSslMode)
{
    public static BenchMachine Current(string postgresSslMode) =>
        new(Environment.ProcessorCount, System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription, null, postgresSslMode);
}
