using System.Globalization;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Pipeline.Tests.Sales;

public class Parsing_a_quantity
{
    [Theory]
    [InlineData("3", 3)]
    [InlineData("3.0", 3)]
    [InlineData("3.000", 3)]
    [InlineData("3.", 3)]
    [InlineData("  3  ", 3)]
    [InlineData("\t12\r\n", 12)]
    [InlineData("+4", 4)]
    [InlineData("-2", -2)]
    [InlineData("-2.0", -2)]
    [InlineData("007", 7)]
    [InlineData("0", 0)]
    [InlineData("-0", 0)]
    [InlineData("0.0", 0)]
    [InlineData("-0.0", 0)]
    [InlineData("2147483647", 2147483647)]
    [InlineData("-2147483648", -2147483648)]
    public void Should_read_whole_numbers(string text, int expected)
    {
        Assert.True(AmountParser.TryParseQuantity(text, out var quantity));
        Assert.Equal(expected, quantity);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("abc")]
    [InlineData("2.5")]
    [InlineData("2.000001")]
    [InlineData("-0.5")]
    [InlineData("1e3")]
    [InlineData("1,000")]
    [InlineData("1 000")]
    [InlineData("- 3")]
    [InlineData("+-3")]
    [InlineData("3-")]
    [InlineData("-")]
    [InlineData(".")]
    [InlineData("3..0")]
    [InlineData("0x10")]
    [InlineData("2147483648")]
    [InlineData("-2147483649")]
    [InlineData("99999999999999999999999")]
    [InlineData("\u00A03")]
    public void Should_refuse_what_is_not_a_whole_number_in_range(string? text)
    {
        Assert.False(AmountParser.TryParseQuantity(text, out _));
    }
}

public class Parsing_a_total_price
{
    [Theory]
    [InlineData("12.50", "12.50")]
    [InlineData("12.5", "12.50")]
    [InlineData("12", "12.00")]
    [InlineData(" 12.50 ", "12.50")]
    [InlineData("$12.50", "12.50")]
    [InlineData("€12.50", "12.50")]
    [InlineData("£12.50", "12.50")]
    [InlineData("12.50 €", "12.50")]
    [InlineData("$ 1,234.50", "1234.50")]
    [InlineData("1,234,567.891", "1234567.89")]
    [InlineData("1,234", "1234.00")]
    [InlineData("1 234.50", "1234.50")]
    [InlineData("(12.50)", "-12.50")]
    [InlineData("($12.50)", "-12.50")]
    [InlineData("$(1,234.50)", "-1234.50")]
    [InlineData("-12.50", "-12.50")]
    [InlineData("-$12.50", "-12.50")]
    [InlineData("$-12.50", "-12.50")]
    [InlineData("+12.50", "12.50")]
    [InlineData(".5", "0.50")]
    [InlineData("5.", "5.00")]
    [InlineData("0", "0.00")]
    [InlineData("-0.00", "0.00")]
    [InlineData("-0.004", "0.00")]
    [InlineData("10.005", "10.01")]
    [InlineData("10.004", "10.00")]
    [InlineData("-10.005", "-10.01")]
    [InlineData("(10.015)", "-10.02")]
    [InlineData("2.675", "2.68")]
    [InlineData("9999999999999999.99", "9999999999999999.99")]
    public void Should_read_money_rounded_to_cents(string text, string expected)
    {
        Assert.Equal(MoneyParseStatus.Parsed, AmountParser.TryParseMoney(text, out var amount));
        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), amount);
        Assert.Equal(expected, amount.ToString(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("\t")]
    public void Should_report_an_empty_price_as_empty(string? text)
    {
        Assert.Equal(MoneyParseStatus.Empty, AmountParser.TryParseMoney(text, out _));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("$")]
    [InlineData("12.34.56")]
    [InlineData("12,50")]
    [InlineData("1,23")]
    [InlineData("1234,567")]
    [InlineData(",123")]
    [InlineData("1,234,56")]
    [InlineData("1,23.45")]
    [InlineData("1.234,50")]
    [InlineData("--5")]
    [InlineData("(-5)")]
    [InlineData("-(5)")]
    [InlineData("(5")]
    [InlineData("5)")]
    [InlineData("()")]
    [InlineData("5-")]
    [InlineData("1e3")]
    [InlineData("USD 5")]
    [InlineData("12.50\u00A0")]
    [InlineData("NaN")]
    [InlineData("10000000000000000.00")]
    [InlineData("99999999999999999999999999999999999")]
    public void Should_refuse_what_is_not_a_price(string text)
    {
        Assert.Equal(MoneyParseStatus.Invalid, AmountParser.TryParseMoney(text, out _));
    }

    [Theory]
    [InlineData("1.005", "1.01")]
    [InlineData("-1.005", "-1.01")]
    [InlineData("1.0049", "1.00")]
    [InlineData("-0.001", "0.00")]
    [InlineData("3", "3.00")]
    public void Should_round_half_away_from_zero_to_two_places(string value, string expected)
    {
        var rounded = AmountParser.RoundMoney(decimal.Parse(value, CultureInfo.InvariantCulture));

        Assert.Equal(expected, rounded.ToString(CultureInfo.InvariantCulture));
    }

    // DATA_CONTRACT_NOTES.md: no length limit on a price text (it used to be 64 characters).
    [Fact]
    public void Should_read_a_price_longer_than_the_stack_buffer()
    {
        var text = "$" + new string(' ', 80) + "1,234.50" + new string(' ', 30) + "€";

        Assert.Equal(MoneyParseStatus.Parsed, AmountParser.TryParseMoney(text, out var amount));
        Assert.Equal(1234.50m, amount);
    }
}

/// <summary>Pins the fast path of <see cref="AmountParser.TryParseMoney(ReadOnlySpan{char}, out decimal)"/> (no decimal.TryParse for up to 18 digits).</summary>
public class Parsing_money_on_the_fast_path
{
    [Fact]
    public void Should_give_the_value_and_text_that_decimal_parsing_gives()
    {
        var random = new Random(20261126);
        for (var i = 0; i < 20_000; i++)
        {
            var digits = random.Next(1, 22);
            var point = random.Next(-1, digits + 1);
            var text = new System.Text.StringBuilder();
            for (var d = 0; d < digits; d++)
            {
                if (d == point)
                    text.Append('.');
                text.Append((char)('0' + random.Next(10)));
            }
            if (point == digits)
                text.Append('.');
            var input = text.ToString();

            var expectedStatus = decimal.TryParse(input, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var parsed)
                && Math.Abs(AmountParser.RoundMoney(parsed)) <= AmountParser.MaxMoney
                    ? MoneyParseStatus.Parsed
                    : MoneyParseStatus.Invalid;
            var status = AmountParser.TryParseMoney(input, out var amount);

            Assert.True(expectedStatus == status, $"'{input}': {status}, expected {expectedStatus}");
            if (status == MoneyParseStatus.Parsed)
                Assert.True(AmountParser.RoundMoney(parsed).ToString(CultureInfo.InvariantCulture) == amount.ToString(CultureInfo.InvariantCulture), $"'{input}': {amount}");
        }
    }
}
