using SalesEtl.Contracts;
using SalesEtl.Data.Staging;
using SalesEtl.Data.Streaming;
using SalesEtl.TestSupport;

namespace SalesEtl.IntegrationTests.Streaming;

/// <summary>
/// The window closer's cross-window duplicate rule against PostgreSQL: as in one file (SPEC §1), only a row that
/// passes the row rules claims its transaction id, so a rejected row in one window leaves the id to a later window.
/// </summary>
public sealed class Closing_stream_windows : IAsyncLifetime
{
    static readonly DateTimeOffset AsOf = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
    static readonly WindowPolicy Policy = new(MaxEvents: 100, MaxAge: TimeSpan.FromHours(1), ChunkSize: 100);

    TestDatabase database = null!;
    StreamEventBuffer buffer = null!;
    StreamWindowCloser closer = null!;
    long sequence;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync("stream_windows");
        buffer = new StreamEventBuffer(database.DataSource);
        closer = new StreamWindowCloser(database.DataSource);
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    // Regression: the closer let any well-formed row claim its id, so a rejected row in an earlier window made a later
    // window drop the valid row of the same id, which a batch run of the same events counts.
    [Fact]
    public async Task Should_leave_the_id_of_a_rejected_row_to_the_valid_row_of_a_later_window()
    {
        var rejected = Sale("T1", quantity: "n/a");
        var claimant = Sale("T2", quantity: "2");
        var first = await CloseAsync(rejected, claimant);

        var valid = Sale(" T1 ", quantity: "1");
        var repeat = Sale("T2", quantity: "2");
        var rejectedRepeat = Sale("T2", quantity: "0");
        var second = await CloseAsync(valid, repeat, rejectedRepeat);

        // The rejected row is staged for its run to reject, and claims nothing; the later valid row takes the id.
        Assert.Equal(["T1,n/a", "T2,2"], await StagedAsync(first));
        Assert.Equal(["T1,1", "T2,0"], await StagedAsync(second));
        Assert.Equal(first.WindowNo, await HolderAsync("T2"));
        Assert.Equal(second.WindowNo, await HolderAsync("T1"));
        // A valid row of an id an earlier window counted is dropped; a row that fails the rules is staged, its run rejects it.
        Assert.Equal(1, second.DuplicatesDropped);
        Assert.Equal(StreamTables.DuplicateTransaction, await OutcomeAsync(repeat));
        Assert.Equal(StreamTables.Staged, await OutcomeAsync(rejectedRepeat));
        Assert.Equal(StreamTables.Staged, await OutcomeAsync(rejected));
    }

    [Fact]
    public async Task Should_judge_a_future_sale_date_by_the_window_runs_as_of_time()
    {
        var future = Sale("T1", quantity: "1", saleDate: AsOf.AddDays(2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await CloseAsync(future);
        var second = await CloseAsync(Sale("T1", quantity: "1"));

        Assert.Equal(0, second.DuplicatesDropped);
        Assert.Equal(second.WindowNo, await HolderAsync("T1"));
    }

    SaleEventReceived Sale(string transactionId, string quantity, string saleDate = "2026-11-20")
    {
        var fields = new[] { transactionId, "C1", "P1", saleDate, quantity, "10.00", "online" };
        return new SaleEventReceived(Guid.NewGuid(), "test", ++sequence, AsOf, false, string.Join(',', fields),
            fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6]);
    }

    async Task<ClosedWindow> CloseAsync(params SaleEventReceived[] events)
    {
        await buffer.AddAsync(events, CancellationToken.None);
        return await closer.TryCloseAsync(Policy, AsOf, force: true, CancellationToken.None)
            ?? throw new InvalidOperationException("The window did not close.");
    }

    async Task<List<string>> StagedAsync(ClosedWindow window)
    {
        var rows = new List<string>();
        var staging = new StagedSalesWriter(database.DataSource);
        for (var chunk = 1; chunk <= window.ChunkCount; chunk++)
            rows.AddRange((await staging.ReadChunkAsync(window.RunId, chunk, CancellationToken.None)).Select(r => $"{r.TransactionId!.Trim()},{r.Quantity}"));
        return rows;
    }

    Task<long> HolderAsync(string transactionId) =>
        database.ScalarAsync<long>($"SELECT window_no FROM stream_seen_transactions WHERE transaction_id = '{transactionId}'");

    Task<string> OutcomeAsync(SaleEventReceived sale) =>
        database.ScalarAsync<string>($"SELECT outcome FROM stream_events WHERE event_id = '{sale.EventId}'");
}
