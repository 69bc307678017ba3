using System.Globalization;
using System.Text;
using CsCheck;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Pipeline.Tests;

public class Money_properties
{
    [Fact]
    public void Should_round_to_the_nearest_cent_with_two_places_symmetrically()
    {
        Gen.Decimal[-1_000_000_000_000m, 1_000_000_000_000m].Sample(
            value =>
            {
                var rounded = AmountParser.RoundMoney(value);

                Assert.Equal(2, rounded.Scale);
                Assert.True(Math.Abs(rounded - value) <= 0.005m, $"{value} rounded to {rounded}");
                Assert.Equal(rounded, AmountParser.RoundMoney(rounded));
                Assert.Equal(-rounded, AmountParser.RoundMoney(-value));
            },
            iter: 2000,
            threads: 1);
    }

    [Fact]
    public void Should_read_back_amounts_written_in_every_accepted_style()
    {
        Gen.Long[-999_999_999_999_999, 999_999_999_999_999].Sample(
            cents =>
            {
                var value = cents / 100m;
                var absolute = Math.Abs(value);
                string[] styles =
                [
                    value.ToString("F2", CultureInfo.InvariantCulture),
                    value.ToString("N2", CultureInfo.InvariantCulture),
                    "$" + value.ToString("N2", CultureInfo.InvariantCulture),
                    value < 0 ? "(" + absolute.ToString("N2", CultureInfo.InvariantCulture) + ")" : "+" + absolute.ToString("F2", CultureInfo.InvariantCulture),
                    " " + value.ToString("F3", CultureInfo.InvariantCulture) + " € ",
                ];
                foreach (var text in styles)
                {
                    Assert.Equal(MoneyParseStatus.Parsed, AmountParser.TryParseMoney(text, out var amount));
                    Assert.Equal(value, amount);
                }
            },
            iter: 2000,
            threads: 1);
    }

    [Fact]
    public void Should_make_the_final_price_follow_the_sign_of_the_quantity()
    {
        var normalizer = new SaleNormalizer(new SaleNormalizerOptions());
        var catalog = new Dictionary<string, decimal> { ["P1"] = 10.00m };
        Gen.Select(Gen.Int[-1000, 1000].Where(q => q != 0), Gen.Long[-100_000_000, 100_000_000]).Sample(
            (quantity, cents) =>
            {
                var price = cents / 100m;
                var row = new RawSale(
                    2, false, "raw", "T1", null, "P1", "2024-05-01",
                    quantity.ToString(CultureInfo.InvariantCulture), price.ToString(CultureInfo.InvariantCulture), "web");

                var sale = normalizer.Normalize(row, new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero), catalog).Sale!;

                Assert.Equal(Math.Abs(price), Math.Abs(sale.TotalPrice));
                Assert.True(sale.TotalPrice == 0m || Math.Sign(sale.TotalPrice) == Math.Sign(quantity));
                var opposite = price != 0m && Math.Sign(price) != Math.Sign(quantity);
                Assert.Equal(opposite, sale.Flags.HasFlag(SaleFlags.SignCorrected));
            },
            iter: 2000,
            threads: 1);
    }
}

public class Reading_generated_files
{
    private const string Header = "transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel";

    // A record: its 7 field values, whether it ends with CRLF, and how many blank lines follow it.
    private static readonly Gen<(string[] Fields, bool Crlf, int BlankLines)[]> Files =
        Gen.Select(
                Gen.Char["ab1 ,\"\r\n"].Array[0, 6].Select(chars => new string(chars)).Array[7],
                Gen.Bool,
                Gen.Int[0, 2])
            .Array[0, 12];

    [Fact]
    public void Should_read_back_every_record_written_with_proper_quoting()
    {
        Files.Sample(
            records =>
            {
                var file = new StringBuilder(Header).Append('\n');
                var expected = new List<(long Line, string Raw, string[] Fields)>();
                foreach (var (fields, crlf, blankLines) in records)
                {
                    var raw = string.Join(',', fields.Select(Quote));
                    expected.Add((LineBreaks(file.ToString()) + 1, raw, fields));
                    file.Append(raw).Append(crlf ? "\r\n" : "\n");
                    for (var i = 0; i < blankLines; i++)
                        file.Append(crlf ? "\r\n" : "\n");
                }

                using var reader = new SalesCsvReader(new StringReader(file.ToString()));
                var rows = reader.ReadRows(reader.ReadHeader().Header!).ToList();

                Assert.Equal(expected.Count, rows.Count);
                for (var i = 0; i < rows.Count; i++)
                {
                    Assert.False(rows[i].Malformed);
                    Assert.Equal(expected[i].Line, rows[i].SourceLine);
                    Assert.Equal(expected[i].Raw, rows[i].RawText);
                    IEnumerable<string?> actual =
                    [
                        rows[i].TransactionId, rows[i].CustomerId, rows[i].ProductId, rows[i].SaleDate,
                        rows[i].Quantity, rows[i].TotalPrice, rows[i].SalesChannel,
                    ];
                    Assert.Equal(expected[i].Fields, actual);
                }
            },
            iter: 500,
            threads: 1,
            print: records => string.Join(" | ", records.Select(r => string.Join(",", r.Fields.Select(Quote)).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal))));
    }

    // RFC 4180: quote a field that holds a separator, a quote or a line break, doubling its quotes.
    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    // Physical lines: CR, LF and CR LF each end one line.
    private static long LineBreaks(string text)
    {
        long count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.Length || text[i + 1] != '\n')))
                count++;
        }
        return count;
    }
}
