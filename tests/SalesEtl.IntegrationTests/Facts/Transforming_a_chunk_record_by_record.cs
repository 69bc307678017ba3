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
