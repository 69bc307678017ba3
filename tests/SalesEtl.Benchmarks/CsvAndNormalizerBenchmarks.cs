using System.Buffers;
using BenchmarkDotNet.Attributes;
using SalesEtl.Data.Facts;
using SalesEtl.Pipeline.Sales;
using SalesEtl.Transformer;

namespace SalesEtl.Benchmarks;

/// <summary>
/// The hot path of ingest and transform on one core: reading records with <see cref="SalesCsvReader"/>, normalizing
/// them with <see cref="SaleNormalizer"/>, and both; and the services' own paths since round 4: the ingestor's (the
/// file into a staged payload, no string per field) and the transformer's (a staged payload into COPY rows, no object
/// per record), each beside the record-based path it replaced. Each operation is one row (rows/s = 1 / mean).
/// </summary>
[MemoryDiagnoser]
public class CsvAndNormalizerBenchmarks
{
    SampleFile file = null!;
    List<RawSale> rows = null!;
    readonly SaleNormalizer normalizer = new(new SaleNormalizerOptions());

    byte[] payload = null!;

    [GlobalSetup]
    public void Setup()
    {
        file = SampleFile.Shared;
        rows = file.ReadAll();
        var writer = new ArrayBufferWriter<byte>();
        StagedChunkCodec.Encode(rows, writer);
        payload = writer.WrittenSpan.ToArray();
    }

    /// <summary>The ingestor: each record's fields from the reader's UTF-8 into the chunk's payload.</summary>
    [Benchmark(OperationsPerInvoke = SampleFile.Rows)]
    public int ReadIntoPayload()
    {
        using var reader = file.OpenReader();
        var header = reader.ReadHeader().Header!;
        using var chunk = new StagedChunkCodec.Encoder(StagedChunkCodec.EstimatedPayloadBytes(SampleFile.Rows));
        var filter = new FirstOccurrenceFilter(FirstOccurrenceFilter.DefaultBytes);
        while (reader.TryAppendNext(header, filter, chunk))
        {
        }
        return chunk.Payload.Length;
    }

    /// <summary>What the ingestor did before: a <see cref="RawSale"/> per record, appended to the payload.</summary>
    [Benchmark(OperationsPerInvoke = SampleFile.Rows)]
    public int ReadRecordsIntoPayload()
    {
        using var reader = file.OpenReader();
        var header = reader.ReadHeader().Header!;
        using var chunk = new StagedChunkCodec.Encoder(StagedChunkCodec.EstimatedPayloadBytes(SampleFile.Rows));
        foreach (var row in reader.ReadRows(header, new FirstOccurrenceFilter(FirstOccurrenceFilter.DefaultBytes)))
            chunk.Append(row);
        return chunk.Payload.Length;
    }

    /// <summary>The transformer: a staged payload's records as spans, normalized and encoded into COPY rows.</summary>
    [Benchmark(OperationsPerInvoke = SampleFile.Rows)]
    public int TransformPayload()
    {
        using var chunk = new EncodedChunk(Guid.Empty, 1, 1, capacityHint: 8 * 1024 * 1024);
        var reader = new StagedChunkCodec.Reader(payload);
        while (reader.TryReadRecord(out var record))
            ChunkTransformation.Transform(in record, normalizer, file.AsOf, file.BasePrices, chunk);
        return chunk.FactCopyRows.Length;
    }

    /// <summary>What the transformer did before: a <see cref="RawSale"/> per record, normalized into a <see cref="NormalizedSale"/>.</summary>
    [Benchmark(OperationsPerInvoke = SampleFile.Rows)]
    public int TransformPayloadRecords()
    {
        using var chunk = new EncodedChunk(Guid.Empty, 1, 1, capacityHint: 8 * 1024 * 1024);
        var reader = new StagedChunkCodec.Reader(payload);
        while (reader.TryRead(out var record))
            ChunkTransformation.Transform(record, normalizer, file.AsOf, file.BasePrices, chunk);
        return chunk.FactCopyRows.Length;
    }

    [Benchmark(OperationsPerInvoke = SampleFile.Rows)]
    public long ReadCsv()
    {
        long lines = 0;
        using var reader = file.OpenReader();
        foreach (var row in reader.ReadRows(reader.ReadHeader().Header!))
            lines += row.SourceLine;
        return lines;
    }

    [Benchmark(OperationsPerInvoke = SampleFile.Rows)]
    public int Normalize()
    {
        var accepted = 0;
        foreach (var row in rows)
        {
            if (normalizer.Normalize(row, file.AsOf, file.BasePrices).IsAccepted)
                accepted++;
        }
        return accepted;
    }

    [Benchmark(OperationsPerInvoke = SampleFile.Rows)]
    public int ReadAndNormalize()
    {
        var accepted = 0;
        using var reader = file.OpenReader();
        foreach (var row in reader.ReadRows(reader.ReadHeader().Header!))
        {
            if (normalizer.Normalize(row, file.AsOf, file.BasePrices).IsAccepted)
                accepted++;
        }
        return accepted;
    }
}
