using Microsoft.EntityFrameworkCore;
using SalesEtl.Data;
using SalesEtl.Data.Runs;
using SalesEtl.EndToEnd.Tests.Reference;
using SalesEtl.SampleData;

namespace SalesEtl.EndToEnd.Tests.Faults;

public sealed partial class Surviving_crashes_and_a_failing_product_api
{
    /// <summary>
    /// Two files started at the same moment share every queue, worker and table: each run must end with the tables of
    /// its own file, and with its own counts (the second file has another seed and another number of rows, so rows
    /// counted in the wrong run show in both).
    /// </summary>
    [Fact]
    public async Task Should_keep_two_runs_of_different_files_started_at_once_apart()
    {
        const int otherRows = 12_000;
        var otherFolder = Path.Combine(system.Folder, "other-file");
        var (otherFile, _) = new SalesDataGenerator(new SampleDataOptions { Rows = otherRows, Seed = 977 }).WriteTo(otherFolder, productsFileName: "unused-products.json");
        var otherExpected = ReferenceEtl.Run(otherFile, system.ProductsFile, SalesDataGenerator.DefaultAsOf);
        var otherExport = Path.Combine(otherFolder, "expected");
        ReferenceEtl.WriteExport(otherExpected, otherExport);
        Assert.Equal(otherRows, otherExpected.Quality.RowsRead);

        var started = DateTimeOffset.UtcNow;
        var first = system.StartRun();
        var second = system.StartRun(otherFile);
        var bothUnderWay = await WaitForRunsInFlightAsync(started, count: 2);

        var firstRun = await system.AssertCompletedLikeAnUndisturbedRunAsync(first);
        var secondRun = await system.AssertCompletedLikeAnUndisturbedRunAsync(second, otherExport, otherRows);
        Assert.Equal([firstRun.Run.CorrelationId, secondRun.Run.CorrelationId], bothUnderWay.Order());
        Assert.Equal(otherExpected.Quality.RowsAccepted, secondRun.Run.RowsAccepted);
        FaultTable.Record(output, firstRun with { Scenario = "two runs at once: the 20,000-row file", FaultAt = started });
        FaultTable.Record(output, secondRun with { Scenario = "two runs at once: a 12,000-row file (another seed)", FaultAt = started, UndisturbedSeconds = null });
    }

    /// <summary>Waits until this many runs submitted after <paramref name="submittedAfter"/> are all under way (not finished) at the same time; returns their ids.</summary>
    async Task<IReadOnlyList<Guid>> WaitForRunsInFlightAsync(DateTimeOffset submittedAfter, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        List<BatchRunState> runs = [];
        while (DateTime.UtcNow < deadline)
        {
            await using (var db = EtlDatabase.CreateContext(system.Database.DataSource))
                runs = await db.BatchRuns.AsNoTracking().Where(r => r.SubmittedAt > submittedAfter).ToListAsync();
            if (runs.Count == count && runs.All(r => r.CurrentState is not (RunStates.Succeeded or RunStates.SucceededWithWarnings or RunStates.Failed or RunStates.Cancelled)))
                return [.. runs.Select(r => r.CorrelationId)];
            await Task.Delay(50);
        }
        throw new TimeoutException($"{count} runs were never under way together: {string.Join(", ", runs.Select(r => $"{r.CorrelationId} {r.CurrentState}"))}");
    }
}
