using System.Text;
using System.Text.Json;
using SalesEtl.Cli.Bench;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Benchmarks;

/// <summary>The bench's messy sales file, generated once per process, held in memory, with its base prices.</summary>
public sealed class SampleFile
{
    public const int Rows = 50_000;

    static readonly Lazy<SampleFile> Instance = new(Create);

    public static SampleFile Shared => Instance.Value;

    public required byte[] Bytes { get; init; }
    public required IReadOnlyDictionary<string, decimal> BasePrices { get; init; }
    public required DateTimeOffset AsOf { get; init; }

    public SalesCsvReader OpenReader() =>
        new(new StreamReader(new MemoryStream(Bytes, writable: false), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16));

    public List<RawSale> ReadAll()
    {
        using var reader = OpenReader();
        var header = reader.ReadHeader().Header!;
        return reader.ReadRows(header).ToList();
    }

    static SampleFile Create()
    {
        var directory = Directory.CreateTempSubdirectory("sales-etl-microbench");
        try
        {
            var generator = new BenchSalesGenerator();
            var sales = Path.Combine(directory.FullName, "sales.csv");
            var products = Path.Combine(directory.FullName, "products.json");
            generator.WriteAsync(sales, products, Rows, CancellationToken.None).GetAwaiter().GetResult();
            using var json = JsonDocument.Parse(File.ReadAllBytes(products));
            var prices = json.RootElement.GetProperty("items").EnumerateArray()
                .ToDictionary(i => i.GetProperty("product_id").GetString()!.ToUpperInvariant(), i => i.GetProperty("base_price").GetDecimal(), StringComparer.Ordinal);
            return new SampleFile { Bytes = File.ReadAllBytes(sales), BasePrices = prices, AsOf = generator.AsOf };
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
