using System.Globalization;
using SalesEtl.Pipeline.Text;

namespace SalesEtl.Pipeline.Sales;

/// <summary>How a money text parsed.</summary>
public enum MoneyParseStatus
{
    /// <summary>A number, rounded to cents.</summary>
    Parsed,

    /// <summary>Empty after trimming.</summary>
    Empty,

    /// <summary>Present but not a number, or beyond <c>numeric(18,2)</c>.</summary>
    Invalid,
}

/// <summary>The number rules of SPEC §1 for <c>quantity</c> and <c>total_price</c>; allocation-free.</summary>
public static class AmountParser
{
    /// <summary>The largest amount a <c>numeric(18,2)</c> column holds.</summary>
    public const decimal MaxMoney = 9_999_999_999_999_999.99m;

    // Texts up to this length are parsed in stack buffers; longer ones (leading zeros, say) on the heap.
    private const int MaxMoneyChars = 64;

    /// <summary>
    /// A whole number with an optional sign, surrounded by optional ASCII whitespace; a fraction of zeros is allowed
    /// (<c>3.0</c> is 3, <c>-0</c> and <c>0.0</c> are 0). False for empty text, any other text, a non-whole number
    /// and a number outside the range of <see cref="int"/>.
    /// </summary>
    public static bool TryParseQuantity(ReadOnlySpan<char> text, out int quantity)
    {
        quantity = 0;
        text = AsciiText.Trim(text);
        if (text.IsEmpty)
            return false;
        var negative = false;
        var position = 0;
        if (text[0] is '+' or '-')
        {
            negative = text[0] == '-';
            position = 1;
        }

        long value = 0;
        var digits = 0;
        for (; position < text.Length && AsciiText.IsAsciiDigit(text[position]); position++, digits++)
        {
            value = (value * 10) + (text[position] - '0');
            if (value > (long)int.MaxValue + 1)
                return false;
        }
        if (position < text.Length)
        {
            if (text[position] != '.')
                return false;
            for (position++; position < text.Length; position++, digits++)
            {
                if (text[position] != '0')
                    return false; // another digit makes a fraction; anything else is not a number
            }
        }
        if (digits == 0)
            return false;
        var signed = negative ? -value : value;
        if (signed is > int.MaxValue or < int.MinValue)
            return false;
        quantity = (int)signed;
        return true;
    }

    public static bool TryParseQuantity(string? text, out int quantity) => TryParseQuantity(text.AsSpan(), out quantity);

    /// <summary>
    /// Parses a price: decimal point <c>.</c>; the symbols <c>$ € £</c> and ASCII whitespace are removed wherever they
    /// are; <c>,</c> separates thousands (groups of three digits before the point, else the text is invalid);
    /// a leading <c>+</c> or <c>-</c>, or parentheses around the number for a negative. The value is rounded to cents
    /// half away from zero (<see cref="RoundMoney"/>), and must fit <c>numeric(18,2)</c>.
    /// </summary>
    public static MoneyParseStatus TryParseMoney(ReadOnlySpan<char> text, out decimal amount)
    {
        amount = 0m;
        text = AsciiText.Trim(text);
        if (text.IsEmpty)
            return MoneyParseStatus.Empty;

        Span<char> cleaned = text.Length <= MaxMoneyChars ? stackalloc char[MaxMoneyChars] : new char[text.Length];
        var length = 0;
        foreach (var c in text)
        {
            if (c is '$' or '€' or '£' || AsciiText.IsWhiteSpace(c))
                continue;
            cleaned[length++] = c;
        }
        var number = cleaned[..length];
        if (number.IsEmpty)
            return MoneyParseStatus.Invalid;

        var negative = false;
        if (number[0] == '(' && number[^1] == ')' && number.Length > 2)
        {
            negative = true;
            number = number[1..^1];
        }
        else if (number[0] is '+' or '-')
        {
            negative = number[0] == '-';
            number = number[1..];
        }

        Span<char> digits = number.Length <= MaxMoneyChars ? stackalloc char[MaxMoneyChars] : new char[number.Length];
        if (!TryStripThousands(number, digits, out var digitCount))
            return MoneyParseStatus.Invalid;
        if (!TryParseShortDecimal(digits[..digitCount], out var value)
            && !decimal.TryParse(digits[..digitCount], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value))
        {
            return MoneyParseStatus.Invalid;
        }
        value = RoundMoney(negative ? -value : value);
        if (Math.Abs(value) > MaxMoney)
            return MoneyParseStatus.Invalid;
        amount = value;
        return MoneyParseStatus.Parsed;
    }

    public static MoneyParseStatus TryParseMoney(string? text, out decimal amount) => TryParseMoney(text.AsSpan(), out amount);

    // The common case without decimal.TryParse: at most 18 digits and one point (what TryStripThousands leaves) fit a
    // long mantissa and a scale, which is exactly the decimal TryParse makes of them (same value, same scale). Longer
    // texts go to decimal.TryParse, which rounds them the way the SPEC's rounding then expects.
    private static bool TryParseShortDecimal(ReadOnlySpan<char> digits, out decimal value)
    {
        value = 0m;
        long mantissa = 0;
        var count = 0;
        var scale = -1;
        foreach (var c in digits)
        {
            if (c == '.')
            {
                scale = 0;
                continue;
            }
            if (++count > 18)
                return false;
            mantissa = (mantissa * 10) + (c - '0');
            if (scale >= 0)
                scale++;
        }
        value = new decimal((int)(mantissa & 0xFFFFFFFF), (int)(mantissa >> 32), 0, false, (byte)Math.Max(scale, 0));
        return true;
    }

    /// <summary>
    /// Rounds to 2 decimals, midpoint away from zero, with exactly two decimal places and no negative zero
    /// (so that equal amounts also print the same).
    /// </summary>
    public static decimal RoundMoney(decimal value)
    {
        var rounded = decimal.Round(value, 2, MidpointRounding.AwayFromZero);
        return rounded == 0m ? 0.00m : rounded + 0.00m;
    }

    // Digits with at most one point; commas only before the point, each followed by exactly three digits and the
    // first preceded by one to three. "1,23" is refused rather than read as 123: it is more likely 1.23 written
    // with a decimal comma, and a silent factor of 100 is worse than a reject.
    private static bool TryStripThousands(ReadOnlySpan<char> number, Span<char> digits, out int count)
    {
        count = 0;
        var digitsInGroup = 0;
        var sawComma = false;
        var sawPoint = false;
        var sawDigit = false;
        foreach (var c in number)
        {
            if (AsciiText.IsAsciiDigit(c))
            {
                digits[count++] = c;
                digitsInGroup++;
                sawDigit = true;
            }
            else if (c == ',' && !sawPoint)
            {
                if (digitsInGroup == 0 || (sawComma ? digitsInGroup != 3 : digitsInGroup > 3))
                    return false;
                sawComma = true;
                digitsInGroup = 0;
            }
            else if (c == '.' && !sawPoint)
            {
                if (sawComma && digitsInGroup != 3)
                    return false;
                sawPoint = true;
                digits[count++] = c;
            }
            else
            {
                return false;
            }
        }
        if (sawComma && !sawPoint && digitsInGroup != 3)
            return false;
        return sawDigit;
    }
}
