using BenchmarkDotNet.Attributes;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Benchmarks;

/// <summary>
/// The hot path of ingest and transform on one core: reading records with <see cref="SalesCsvReader"/>, normalizing
/// them with <see cref="SaleNormalizer"/>, and both. Each operation is one row (rows/s = 1 / mean).
/// </summary>
[MemoryDiagnoser]
public class CsvAndNormalizerBenchmarks
{
    SampleFile file = null!;
    List<RawSale> rows = null!;
    readonly SaleNormalizer normalizer = new(new SaleNormalizerOptions());

    [GlobalSetup]
    public void Setup()
    {
        file = SampleFile.Shared;
        rows = file.ReadAll();
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
