using System.Globalization;
using SalesEtl.Data.Runs;
using SalesEtl.TestSupport;
using Xunit.Abstractions;

namespace SalesEtl.EndToEnd.Tests.Faults;

/// <summary>
/// One measured line of the fault table (docs/FAULTS.md): how a scenario's run ended, the rows of its file it
/// lost, and how long it took to finish after the fault, beside an undisturbed run of the same file where there is one.
/// </summary>
/// <param name="FileRows">The file's data rows, as the independent reference reads them.</param>
/// <param name="FaultAt">When the test injected the fault (or started the run, for a scenario that is the run itself).</param>
public sealed record FaultMeasurement(string Scenario, BatchRunState Run, long FileRows, DateTimeOffset FaultAt, double? UndisturbedSeconds, string? OutcomePrefix = null)
{
    /// <summary>Rows of the file that ended neither accepted, rejected nor dropped as exact duplicates; negative when some were counted twice.</summary>
    public long RowsLost => FileRows - (Run.RowsAccepted ?? 0) - (Run.RowsRejected ?? 0) - (Run.DuplicatesDropped ?? 0);

    public string Outcome => OutcomePrefix + Run.CurrentState + (Run.Retries > 0 ? $" after {Run.Retries} etl retry" : "");

    public double? SecondsFromFault => (Run.CompletedAt - FaultAt)?.TotalSeconds;

    public double? RunSeconds => (Run.CompletedAt - Run.SubmittedAt)?.TotalSeconds;
}

/// <summary>
/// Writes each scenario's measurement to the test's output and appends it to <c>.local/test-results/faults.tsv</c>,
/// from which docs/FAULTS.md's table is made: measured, not guessed.
/// </summary>
public static class FaultTable
{
    public const string Header = "utc\tscenario\toutcome\tfile_rows\trows_read\taccepted\trejected\texact_duplicates\trows_lost\tseconds_fault_to_completion\trun_seconds\tundisturbed_run_seconds";

    public static string ResultsFile => Path.Combine(RepositoryLayout.Root, ".local", "test-results", "faults.tsv");

    // Test classes run in parallel and append to the one file.
    static readonly Lock FileLock = new();

    public static void Record(ITestOutputHelper output, FaultMeasurement measurement)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(measurement);
        var run = measurement.Run;
        var line = string.Join('\t',
            DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), measurement.Scenario, measurement.Outcome,
            measurement.FileRows, Count(run.RowsRead), Count(run.RowsAccepted), Count(run.RowsRejected), Count(run.DuplicatesDropped), measurement.RowsLost,
            Seconds(measurement.SecondsFromFault), Seconds(measurement.RunSeconds), Seconds(measurement.UndisturbedSeconds));
        output.WriteLine(Header);
        output.WriteLine(line);
        lock (FileLock)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(ResultsFile)!);
            if (!File.Exists(ResultsFile))
                File.WriteAllText(ResultsFile, Header + "\n");
            File.AppendAllText(ResultsFile, line + "\n");
        }
    }

    static string Count(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    static string Seconds(double? value) => value?.ToString("0.0", CultureInfo.InvariantCulture) ?? "";
}
