using System.Buffers;
using CsCheck;
using SalesEtl.Data.Facts;
using SalesEtl.Pipeline.Sales;
using SalesEtl.Transformer;

namespace SalesEtl.IntegrationTests.Facts;

/// <summary>
/// The transformer reads a staged chunk one record at a time and encodes each candidate's COPY row at once
/// (EncodedChunk) instead of decoding the whole chunk into a list and transforming the list. For any chunk, the
/// streamed result must be what the list-based transformation gives: the same candidates, encoded as SaleCopyRows
/// encodes them into the table their first-occurrence flag picks, the same rejects, and the chunk's line range.
/// No server: this is the pure part of the consumer.
/// </summary>
public sealed class Transforming_a_chunk_record_by_record
{
    static readonly DateTimeOffset AsOf = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    static readonly IReadOnlyDictionary<string, decimal> BasePrices = new Dictionary<string, decimal> { ["P1"] = 10m, ["P2"] = 0m };

    static readonly SaleNormalizer Normalizer = new(new SaleNormalizerOptions());

    // Field values that pass and fail each rule, so that a chunk mixes candidates of every flag with rejects of every reason.
    static readonly Gen<RawSale> Records =
        Gen.Select(
                Gen.Select(Gen.Bool, Gen.OneOf<string?>("T1", " t2 ", "T3", "", " ", null), Gen.OneOf<string?>("C1", " ", null), Gen.OneOf<string?>("P1", "p2", "X9", "", null)),
                Gen.Select(Gen.OneOf<string?>("2024-05-01", "2024-12-31T23:00:00Z", "2030-01-01", "not a date", null), Gen.OneOf<string?>("1", "-2", "3", "0", "x", null)),
                Gen.Select(Gen.OneOf<string?>("10.00", "-5", "19.99", "", "abc", "99999999999999999999", null), Gen.OneOf<string?>("online", "Web", "", "fax", null), Gen.Bool))
            .Select((head, middle, tail) => new RawSale(
                SourceLine: 0, Malformed: head.Item1, RawText: "raw", TransactionId: head.Item2, CustomerId: head.Item3, ProductId: head.Item4,
                SaleDate: middle.Item1, Quantity: middle.Item2, TotalPrice: tail.Item1, SalesChannel: tail.Item2, FirstOccurrence: tail.Item3));

    // A staged chunk: consecutive source lines from any start, raw text that tells the records apart.
    static readonly Gen<List<RawSale>> Chunks =
        Gen.Select(Records.List[1, 60], Gen.Long[2, 10_000_000]).Select((records, first) =>
            records.Select((record, i) => record with { SourceLine = first + i, RawText = $"line {first + i}" }).ToList());

    [Fact]
    public void Should_give_the_candidates_and_rejects_that_transforming_the_decoded_list_gives()
    {
        var runId = Guid.NewGuid();
        Chunks.Sample(
            records =>
            {
                var payload = new ArrayBufferWriter<byte>();
                StagedChunkCodec.Encode(records, payload);

                using var streamed = new EncodedChunk(runId, chunkNo: 7, snapshotId: 3);
                var reader = new StagedChunkCodec.Reader(payload.WrittenSpan);
                while (reader.TryRead(out var record))
                    ChunkTransformation.Transform(record, Normalizer, AsOf, BasePrices, streamed);

                var (candidates, rejects) = ChunkTransformation.Apply(StagedChunkCodec.Decode(payload.WrittenSpan), Normalizer, AsOf, BasePrices);
                var facts = new ArrayBufferWriter<byte>();
                var others = new ArrayBufferWriter<byte>();
                PgBinaryCopy.WriteHeader(facts);
                PgBinaryCopy.WriteHeader(others);
                foreach (var sale in candidates)
                {
                    if (sale.FirstOccurrence)
                        SaleCopyRows.AppendFact(facts, runId, sale, 3);
                    else
                        SaleCopyRows.AppendCandidate(others, runId, 7, sale);
                }

                Assert.Equal(candidates.Count, streamed.Candidates);
                Assert.Equal(candidates.Count(sale => sale.FirstOccurrence), streamed.FactRows);
                Assert.Equal(facts.WrittenSpan.ToArray(), streamed.FactCopyRows.ToArray());
                Assert.Equal(others.WrittenSpan.ToArray(), streamed.CandidateCopyRows.ToArray());
                Assert.Equal(rejects, streamed.Rejects);
                Assert.Equal(records.Count, candidates.Count + rejects.Count);
                Assert.Equal((records[0].SourceLine, records[^1].SourceLine), (streamed.FirstLine, streamed.LastLine));
            },
            iter: 300,
            threads: 1);
    }

    // Texts that only the span path could get wrong: non-ASCII ids and raw text (two-, three- and four-byte UTF-8), a
    // product id longer than the 64-char buffer it is upper-cased into, and records too long for the 512-char stack buffer.
    static readonly Gen<RawSale> Unusual =
        Gen.Select(
                Gen.Select(Gen.OneOf<string?>("é1", " ü ", "T😀"), Gen.OneOf<string?>("Ærø", " c ", null), Gen.OneOf<string?>("p1", "ß", "é9", new string('p', 70), " x" + new string('é', 300))),
                Gen.OneOf<string?>("2024-05-01", "01/05/2024"),
                Gen.Select(Gen.OneOf<string?>("10.00", ""), Gen.OneOf<string?>("online", " Märkt ", new string('w', 400)), Gen.Bool))
            .Select((head, date, tail) => new RawSale(
                SourceLine: 0, Malformed: false, RawText: "€ raw 😀", TransactionId: head.Item1, CustomerId: head.Item2, ProductId: head.Item3,
                SaleDate: date, Quantity: "2", TotalPrice: tail.Item1, SalesChannel: tail.Item2, FirstOccurrence: tail.Item3));

    [Fact]
    public void Should_give_from_the_payloads_bytes_what_reading_records_gives()
    {
        // The transformer reads a payload store's records as UTF-8 spans (Transform(in StagedRecord)); the embedded
        // store's as RawSale records. Same chunk, same bytes to COPY, same rejects.
        var runId = Guid.NewGuid();
        var chunks = Gen.Select(Gen.Frequency((4, Records), (1, Unusual)).List[1, 60], Gen.Long[2, 10_000_000]).Select((records, first) =>
            records.Select((record, i) => record with { SourceLine = first + i, RawText = $"{record.RawText} line {first + i}" }).ToList());
        chunks.Sample(
            records =>
            {
                var payload = new ArrayBufferWriter<byte>();
                StagedChunkCodec.Encode(records, payload);

                using var byRecords = new EncodedChunk(runId, chunkNo: 7, snapshotId: 3);
                var reader = new StagedChunkCodec.Reader(payload.WrittenSpan);
                while (reader.TryRead(out var record))
                    ChunkTransformation.Transform(record, Normalizer, AsOf, BasePrices, byRecords);

                using var bySpans = new EncodedChunk(runId, chunkNo: 7, snapshotId: 3);
                var spans = new StagedChunkCodec.Reader(payload.WrittenSpan);
                while (spans.TryReadRecord(out var record))
                    ChunkTransformation.Transform(in record, Normalizer, AsOf, BasePrices, bySpans);

                Assert.Equal(byRecords.FactRows, bySpans.FactRows);
                Assert.Equal(byRecords.CandidateRows, bySpans.CandidateRows);
                Assert.Equal(byRecords.FactCopyRows.ToArray(), bySpans.FactCopyRows.ToArray());
                Assert.Equal(byRecords.CandidateCopyRows.ToArray(), bySpans.CandidateCopyRows.ToArray());
                Assert.Equal(byRecords.Rejects, bySpans.Rejects);
                Assert.Equal((byRecords.FirstLine, byRecords.LastLine), (bySpans.FirstLine, bySpans.LastLine));
            },
            iter: 400,
            threads: 1);
    }

    [Fact]
    public void Should_fail_on_a_staged_text_that_is_not_utf8()
    {
        // A payload by hand: version 2, one row, line 2, no flags, eight texts of which the product id is 0xC3 0x28.
        byte[] payload = [2, 1, 0, 0, 0, 4, 0, 3, (byte)'T', (byte)'1', 1, 3, 0xC3, 0x28, 1, 1, 1, 1, 1, 4, (byte)'r', (byte)'a', (byte)'w'];
        using var chunk = new EncodedChunk(Guid.NewGuid(), chunkNo: 1, snapshotId: 1);

        var failure = Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new StagedChunkCodec.Reader(payload);
            Assert.True(reader.TryReadRecord(out var record));
            ChunkTransformation.Transform(in record, Normalizer, AsOf, BasePrices, chunk);
        });

        Assert.Contains("line 2", failure.Message, StringComparison.Ordinal);
        Assert.Contains("not valid UTF-8", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_mix_candidates_of_both_tables_and_rejects_in_the_generated_chunks()
    {
        // Guards the property above against generators that stopped producing one of the three outcomes.
        var records = new List<RawSale>();
        Chunks.Sample(records.AddRange, iter: 20, threads: 1);
        var (candidates, rejects) = ChunkTransformation.Apply(records, Normalizer, AsOf, BasePrices);

        Assert.Contains(candidates, sale => sale.FirstOccurrence);
        Assert.Contains(candidates, sale => !sale.FirstOccurrence);
        Assert.NotEmpty(rejects);
    }
}
