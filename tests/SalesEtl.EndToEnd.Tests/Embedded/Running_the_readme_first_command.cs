using System.Diagnostics;
using SalesEtl.TestSupport;

namespace SalesEtl.EndToEnd.Tests.Embedded;

/// <summary>
/// The README's first command, as written (the first command line of the first bash block of "The two commands"),
/// run through bash from the repository root: it needs nothing but the .NET SDK.
/// </summary>
public sealed class Running_the_readme_first_command(Xunit.Abstractions.ITestOutputHelper output)
{
    public static string FirstCommand()
    {
        var readme = File.ReadAllLines(Path.Combine(RepositoryLayout.Root, "README.md"));
        var section = Array.FindIndex(readme, line => line.Trim() == "## The two commands");
        Assert.True(section >= 0, "README.md has no '## The two commands' section.");
        var fence = Array.FindIndex(readme, section, line => line.Trim() == "```bash");
        Assert.True(fence > section, "The section has no ```bash block.");
        return readme.Skip(fence + 1).TakeWhile(line => line.Trim() != "```")
            .Select(line => line.Trim())
            .First(line => line.Length > 0 && !line.StartsWith('#'));
    }

    [Fact]
    public void Should_be_the_embedded_run_of_the_sample_file() =>
        Assert.Equal("./etl run samples/sales.csv --embedded --as-of 2026-11-25T00:00:00Z", FirstCommand());

    [Fact]
    public async Task Should_exit_0_printing_the_run_id_first_and_the_summary()
    {
        var command = FirstCommand();
        var watch = Stopwatch.StartNew();
        var result = await RepositoryCommand.RunAsync(command);
        output.WriteLine($"{command} took {watch.Elapsed.TotalSeconds:0.0} s (building the tool included when it was stale)\n{result}");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(Guid.TryParse(result.FirstLine, out var runId), $"The first line is not a run id: {result}");
        var stdoutText = result.StandardOutput;
        Assert.Contains($"Run        {runId}", stdoutText, StringComparison.Ordinal);
        Assert.Contains("State      Succeeded (succeeded)", stdoutText, StringComparison.Ordinal);
        // The counts of the independent reference computation of the same file and products.
        var expected = Reference.ReferenceEtl.Run(Path.Combine(RepositoryLayout.Root, "samples", "sales.csv"), Path.Combine(RepositoryLayout.Root, "samples", "products.json"),
            new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));
        Assert.Contains($"Rows       {expected.Quality.RowsRead:N0} read, {expected.Quality.RowsAccepted:N0} accepted, {expected.Quality.RowsRejected:N0} rejected, {expected.Quality.DuplicatesDropped:N0} duplicates dropped",
            stdoutText, StringComparison.Ordinal);
        Assert.Contains("Revenue by channel", stdoutText, StringComparison.Ordinal);
        Assert.Contains("│█", stdoutText, StringComparison.Ordinal);
        Assert.Contains("Customer segments", stdoutText, StringComparison.Ordinal);
        // Piped: plain progress lines on stderr, no bars.
        Assert.Contains("Succeeded      chunks staged 1/1, transformed 1/1", result.StandardError, StringComparison.Ordinal);
    }
}
