using SalesEtl.TestSupport;

namespace SalesEtl.IntegrationTests.Contract;

/// <summary>
/// SPEC §1 rule 10 on the production path, the finalization's SQL on PostgreSQL, for each pair of
/// <see cref="DuplicatePairs"/>: one content field differing makes the later row a duplicate_conflict, the same content
/// written differently an exact duplicate. Each pair runs with the ingestor's first-occurrence filter on (the first row
/// loaded by the transformer, the second compared with it at finalization) and off (both compared as waiting candidates).
/// </summary>
public sealed class Telling_duplicates_from_conflicts(InProcessDatabase fixture) : IClassFixture<InProcessDatabase>
{
    static readonly Processing[] FilterOnAndOff = [new(1, 1, null), new(10_000, 1, null, FilterBytes: 0)];

    public static IEnumerable<object[]> Pairs => DuplicatePairs.All.Select(p => new object[] { p.First, p.Second, p.Conflicts });

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task Should_reject_a_later_row_as_a_conflict_only_when_its_normalized_content_differs(string first, string second, bool conflicts)
    {
        var expected = conflicts ? "facts 2|duplicates |rejects 3 duplicate_conflict" : "facts 2|duplicates 3 of 2|rejects ";
        await using var run = new InProcessRun(fixture.Database);
        var snapshot = await run.StoreSnapshotAsync(DuplicatePairs.Products);

        foreach (var processing in FilterOnAndOff)
        {
            var (runId, _) = await run.RunAsync($"{DuplicatePairs.Header}\n{first}\n{second}\n", snapshot, processing);
            var outcome = await OutcomeAsync(runId);
            Assert.True(expected == outcome, $"{processing}: expected \"{expected}\", got \"{outcome}\"");
        }
    }

    Task<string> OutcomeAsync(Guid runId) => fixture.Database.ScalarAsync<string>($"""
        SELECT concat_ws('|',
            'facts ' || (SELECT coalesce(string_agg(source_line::text, ',' ORDER BY source_line), '') FROM fact_sales WHERE run_id = '{runId}'),
            'duplicates ' || (SELECT coalesce(string_agg(source_line || ' of ' || duplicate_of, ',' ORDER BY source_line), '') FROM duplicate_rows WHERE run_id = '{runId}'),
            'rejects ' || (SELECT coalesce(string_agg(source_line || ' ' || reason, ',' ORDER BY source_line), '') FROM rejected_rows WHERE run_id = '{runId}'))
        """);
}
