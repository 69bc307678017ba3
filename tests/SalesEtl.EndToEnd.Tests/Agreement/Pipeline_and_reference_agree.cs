using System.Text;
using System.Text.Json;
using CsCheck;
using SalesEtl.EndToEnd.Tests.Reference;
using SalesEtl.Pipeline.Products;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.EndToEnd.Tests.Agreement;

/// <summary>
/// The pipeline (shared/SalesEtl.Pipeline) and the independent reference (Reference/) must read every value and
/// every CSV text alike: these properties feed both the same messy input, built from the fragments where the two
/// readings once differed (docs/DATA_CONTRACT_NOTES.md), and compare the answers. The reference never calls the
/// pipeline; only this class sees both.
/// </summary>
public sealed class Pipeline_and_reference_agree
{
    const int Iterations = 4000;

    static Gen<string> Fragments(params string[] fragments) =>
        Gen.OneOf<string>(fragments).Array[0, 12].Select(parts => string.Concat(parts));

    static Gen<string> Digits(int min, int max) => Gen.Char['0', '9'].Array[min, max].Select(c => new string(c));

    static readonly Gen<string> Dates = Gen.OneOf(
        // Near-valid shapes with random parts.
        Gen.Select(Digits(4, 4), Digits(1, 3), Digits(1, 3), Gen.OneOf<string>("-", "/")).Select((y, m, d, s) => $"{y}{s}{m}{s}{d}"),
        Gen.Select(Digits(1, 3), Digits(1, 3), Digits(3, 5)).Select((m, d, y) => $"{m}/{d}/{y}"),
        Gen.Select(Gen.Int[1, 12], Gen.Int[1, 31], Gen.Int[1990, 2030], Gen.OneOf<string>("T", "t", " ", "X"),
                Fragments("1", "2", "3", "0", "5", "9", ":", ".", "Z", "z", "+", "-", "0", " "))
            .Select((m, d, y, sep, time) => $"{y:D4}-{m:D2}-{d:D2}{sep}{time}"),
        Gen.Select(Gen.Int[0, 23], Gen.Int[0, 59], Gen.Int[0, 59], Digits(0, 10), Gen.OneOf<string>("", "Z", "z", "+02:00", "-14:00", "+14:01", "+05:30", "+0200"), Gen.OneOf<string>("T", " "))
            .Select((h, mi, s, f, zone, sep) => $"2024-02-29{sep}{h:D2}:{mi:D2}:{s:D2}{(f.Length > 0 ? "." + f : "")}{zone}"),
        Gen.Select(Digits(1, 3), Gen.OneOf<string>("Jan", "jan", "JANUARY", "Sep", "Sept", "September", "sept", "Ma", "Mar", "May", "Foo"), Digits(3, 5), Gen.OneOf<string>(" ", "  ", ", ", ","))
            .Select((d, mon, y, sep) => $"{d} {mon}{sep}{y}"),
        Gen.Select(Gen.OneOf<string>("Feb", "february", "Dec", "Sept", "Jun"), Digits(1, 3), Digits(3, 5), Gen.OneOf<string>(", ", " ", ",", " , "))
            .Select((mon, d, y, sep) => $"{mon} {d}{sep}{y}"),
        Digits(8, 12),
        Fragments("2024", "-", "/", "03", "3", "1", "T", " ", ":", "00", ".", "Z", "+", "Mar", ",", "\t", "\u00A0"));

    static readonly Gen<string> Quantities = Fragments("0", "1", "3", "9", ".", "+", "-", " ", ",", "e", "00", "2147483648", "\t");

    static readonly Gen<string> Prices = Fragments("0", "1", "12", "123", "5", ".", ",", "$", "€", "£", "(", ")", "+", "-", " ", "\t", "e", "000", "USD", "9999999999999999");

    static readonly Gen<string> Channels = Fragments(
        "web", "Web", "in", "store", "STORE", "brick", "and", "mortar", "call", "centre", "center", "mobile", "app", "e", "commerce",
        " ", "  ", "-", "--", "_", "\t", "\u00A0", "x", "İos", "ios", "unknown", "shop");

    [Fact]
    public void On_sale_dates()
    {
        Dates.Sample(text =>
        {
            var expected = ReferenceValues.ParseSaleDate(text);
            var parsed = SaleDateParser.TryParse(text, out var actual);
            Assert.True(parsed == expected.HasValue, $"'{text}': reference {Show(expected)}, pipeline {(parsed ? Show(actual) : "invalid")}");
            if (parsed)
                Assert.Equal(expected!.Value, actual);
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void On_quantities()
    {
        Quantities.Sample(text =>
        {
            var expected = ReferenceValues.ParseQuantity(text);
            var parsed = AmountParser.TryParseQuantity(text, out var actual);
            Assert.True(parsed == expected.HasValue && (!parsed || actual == expected), $"'{text}': reference {expected}, pipeline {(parsed ? actual : "invalid")}");
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void On_total_prices()
    {
        Prices.Sample(text =>
        {
            var trimmed = ReferenceValues.TrimAscii(text);
            var status = AmountParser.TryParseMoney(text, out var actual);
            if (trimmed.Length == 0)
            {
                Assert.Equal(MoneyParseStatus.Empty, status);
                return;
            }
            var parsed = ReferenceValues.TryParsePrice(trimmed, out var expected);
            Assert.True(parsed == (status == MoneyParseStatus.Parsed) && (!parsed || actual == expected),
                $"'{text}': reference {(parsed ? expected : "invalid")}, pipeline {status} {actual}");
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void On_sales_channels()
    {
        Channels.Sample(text =>
            Assert.Equal(ReferenceValues.CanonicalChannel(text) ?? SalesChannels.Unknown, SalesChannels.Canonicalize(text)),
            iter: Iterations, threads: 1);
    }

    const string Header = "transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel";

    static readonly Gen<string> CsvBodies = Fragments(
        "a", "T1", ",", ",,,,,,", "a,b,c,d,e,f,g", "\"", "\"\"", "\"x,y\"", "\n", "\r", "\r\n", " ", "\t", "  \t ", "\u000B", "\u00A0");

    [Fact]
    public void On_csv_records()
    {
        CsvBodies.Sample(body =>
        {
            var text = Header + "\n" + body;
            var expected = ReferenceCsvReader.Parse(text).Skip(1)
                .Select(r => Describe(r.SourceLine, r.RawText, r.Fields is { Count: 7 } ? r.Fields : null))
                .ToList();
            using var reader = new SalesCsvReader(new StringReader(text));
            var header = reader.ReadHeader().Header!;
            var actual = reader.ReadRows(header)
                .Select(r => Describe(r.SourceLine, r.RawText, r.Malformed ? null : [r.TransactionId!, r.CustomerId!, r.ProductId!, r.SaleDate!, r.Quantity!, r.TotalPrice!, r.SalesChannel!]))
                .ToList();
            Assert.True(expected.SequenceEqual(actual), $"body {Escape(body)}\nreference: {string.Join(" | ", expected)}\npipeline:  {string.Join(" | ", actual)}");
        }, iter: Iterations, threads: 1);
    }

    static readonly Gen<string> JsonValues = Gen.OneOf<string>(
        "1", "-1", "0", "-0", "2.5", "1e1", "1.5e2", "\"1.5e2\"", "\"12\"", "\" 7 \"", "\"\"", "\"  \"", "\"x\"", "\"-0.001\"", "-0.001",
        "null", "true", "{}", "[]", "4.0", "\"4.0\"", "\"+3\"", "\"$5\"", "99999999999999999", "2147483648", "\"2147483647\"");

    static readonly Gen<string> ProductItems = Gen.OneOf(
        Gen.Select(Gen.OneOf<string>("\"P1\"", "\"p1 \"", "\"P2\"", "\"\"", "null", "7"), JsonValues, JsonValues, Gen.OneOf<string>("\"home  &  GARDEN\"", "null", "3"))
            .Select((id, price, stock, category) => $"{{\"product_id\":{id},\"base_price\":{price},\"stock_quantity\":{stock},\"category\":{category}}}"),
        Gen.OneOf<string>("\"text\"", "1", "[]", "{\"base_price\":1}", "{\"product_id\":\"P3\"}"));

    [Fact]
    public void On_product_items()
    {
        var directory = Path.Combine(Path.GetTempPath(), "sales-etl-agreement");
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, $"products-{Guid.NewGuid():N}.json");
        try
        {
            ProductItems.Array[0, 8].Sample(items =>
            {
                var json = "[" + string.Join(",", items) + "]";
                File.WriteAllText(file, json);
                var expected = ReferenceProducts.Load(file);
                using var document = JsonDocument.Parse(json);
                var actual = ProductSnapshotBuilder.Build(document.RootElement.EnumerateArray());

                var because = $"items {json}";
                Assert.True(expected.ItemsRead == actual.Counts.ItemsRead, because);
                Assert.True(expected.Rejects.Select(r => (r.ItemNo, r.Reason)).SequenceEqual(actual.Rejects.Select(r => (r.ItemNumber, r.Reason))), because);
                Assert.True(expected.DuplicateIds == actual.Counts.Duplicates, because);
                Assert.True(expected.InvalidStockQuantities == actual.Counts.InvalidStock, because);
                var expectedProducts = expected.Products.Values.OrderBy(p => p.ProductId, StringComparer.Ordinal)
                    .Select(p => (p.ProductId, p.ProductName, p.Category, p.Manufacturer, p.BasePrice, p.StockQuantity));
                var actualProducts = actual.Products.OrderBy(p => p.ProductId, StringComparer.Ordinal)
                    .Select(p => (p.ProductId, p.ProductName, p.Category, p.Manufacturer, p.BasePrice, p.StockQuantity));
                Assert.True(expectedProducts.SequenceEqual(actualProducts), because);
            }, iter: 1500, threads: 1);
        }
        finally
        {
            File.Delete(file);
        }
    }

    static string Describe(long line, string raw, IReadOnlyList<string>? fields) =>
        $"{line}:{Escape(raw)}:{(fields is null ? "malformed" : string.Join("¦", fields.Select(Escape)))}";

    static string Escape(string text) => new StringBuilder(text).Replace("\r", "\\r").Replace("\n", "\\n").Replace("\t", "\\t").ToString();

    static string Show(DateTime? value) => value?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "invalid";
}
