using SalesEtl.Data.Staging;
using SalesEtl.Pipeline.Sales;
using SalesEtl.TestSupport;

namespace SalesEtl.IntegrationTests.Staging;

/// <summary>The PostgreSQL staging store: one staged_chunks row per chunk, read back as it was written.</summary>
public sealed class Staging_a_chunk : IAsyncLifetime
{
    TestDatabase database = null!;
    StagedSalesWriter staging = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync("staging");
        staging = new StagedSalesWriter(database.DataSource);
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    static readonly RawSale[] Records =
    [
        new(2, false, "T1,C1,P1,2024-05-01,2,20.00,online", "T1", "C1", "P1", "2024-05-01", "2", "20.00", "online"),
        new(3, false, "\"T 2\",,P-é,\"1 May\n2024\",1,\"1,5\",😀", "T 2", "", "P-é", "1 May\n2024", "1", "1,5", "😀"),
        new(5, true, "\"x\"y,z", null, null, null, null, null, null, null),
        // Larger than Npgsql's read buffer, so the sequential read of the payload crosses buffer refills.
        new(6, false, new string('ü', 200_000), "T3", null, "P1", "2024-05-02", "3", "30.00", new string('a', 70_000)),
    ];

    [Fact]
    public async Task Should_read_back_the_records_it_staged_in_file_order()
    {
        var runId = Guid.NewGuid();
        await staging.WriteChunkAsync(runId, 1, Records, CancellationToken.None);

        Assert.Equal(Records, await staging.ReadChunkAsync(runId, 1, CancellationToken.None));
        Assert.Equal(4L, await database.ScalarAsync<long>($"SELECT sum(row_count) FROM staged_chunks WHERE run_id = '{runId}'"));
    }

    [Fact]
    public async Task Should_replace_an_earlier_attempt_at_the_same_chunk()
    {
        var runId = Guid.NewGuid();
        await staging.WriteChunkAsync(runId, 1, Records, CancellationToken.None);
        await staging.WriteChunkAsync(runId, 2, Records[..1], CancellationToken.None);

        await staging.WriteChunkAsync(runId, 1, Records[1..3], CancellationToken.None);

        Assert.Equal(Records[1..3], await staging.ReadChunkAsync(runId, 1, CancellationToken.None));
        Assert.Equal(Records[..1], await staging.ReadChunkAsync(runId, 2, CancellationToken.None));
        Assert.Equal(3L, await database.ScalarAsync<long>($"SELECT sum(row_count) FROM staged_chunks WHERE run_id = '{runId}'"));
    }

    [Fact]
    public async Task Should_store_an_encoded_chunk_as_the_same_row_as_its_records()
    {
        var runId = Guid.NewGuid();
        await staging.WriteChunkAsync(runId, 1, Records, CancellationToken.None);
        using var encoder = new StagedChunkCodec.Encoder();
        foreach (var record in Records)
            encoder.Append(record);

        await staging.WriteEncodedChunkAsync(runId, 2, encoder.Payload, encoder.Count, CancellationToken.None);

        Assert.Equal(Records, await staging.ReadChunkAsync(runId, 2, CancellationToken.None));
        Assert.True(await database.ScalarAsync<bool>(
            $"SELECT a.payload = b.payload AND a.row_count = b.row_count FROM staged_chunks a JOIN staged_chunks b ON b.run_id = a.run_id AND b.chunk_no = 2 WHERE a.run_id = '{runId}' AND a.chunk_no = 1"));
    }

    [Fact]
    public async Task Should_refuse_an_encoded_chunk_whose_row_count_disagrees_with_its_payload()
    {
        using var encoder = new StagedChunkCodec.Encoder();
        foreach (var record in Records)
            encoder.Append(record);

        var exception = await Assert.ThrowsAsync<ArgumentException>(
            () => staging.WriteEncodedChunkAsync(Guid.NewGuid(), 1, encoder.Payload, 5, CancellationToken.None));

        Assert.Contains("announces 4 rows, not 5", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_read_no_record_of_a_chunk_that_is_not_staged()
    {
        var runId = Guid.NewGuid();
        await staging.WriteChunkAsync(runId, 1, Records, CancellationToken.None);

        Assert.Empty(await staging.ReadChunkAsync(runId, 2, CancellationToken.None));
        Assert.Empty(await staging.ReadChunkAsync(Guid.NewGuid(), 1, CancellationToken.None));
    }

    [Fact]
    public async Task Should_refuse_a_chunk_whose_row_count_disagrees_with_its_payload()
    {
        var runId = Guid.NewGuid();
        await staging.WriteChunkAsync(runId, 1, Records, CancellationToken.None);
        await database.ScalarAsync<object>($"UPDATE staged_chunks SET row_count = 5 WHERE run_id = '{runId}'");

        var exception = await Assert.ThrowsAsync<InvalidDataException>(() => staging.ReadChunkAsync(runId, 1, CancellationToken.None));

        Assert.Contains("holds 4 rows, but its row_count says 5", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_keep_payloads_unlogged_and_uncompressed()
    {
        Assert.Equal("u", await database.ScalarAsync<string>("SELECT relpersistence::text FROM pg_class WHERE relname = 'staged_chunks'"));
        Assert.Equal("e", await database.ScalarAsync<string>(
            "SELECT attstorage::text FROM pg_attribute WHERE attrelid = 'staged_chunks'::regclass AND attname = 'payload'"));
        Assert.False(await database.ScalarAsync<bool>("SELECT to_regclass('staged_sales') IS NOT NULL"));
    }
}
