using SalesEtl.Pipeline.Text;

namespace SalesEtl.Pipeline.Sales;

/// <summary>
/// Parses the <c>sale_date</c> formats of SPEC §1 into a UTC <see cref="DateTime"/> without allocating:
/// <c>yyyy-MM-dd</c>; <c>yyyy-MM-dd HH:mm[:ss]</c> (no fraction, no offset); ISO 8601 with an upper-case <c>T</c>
/// (optional seconds, fraction, upper-case <c>Z</c> or <c>±hh:mm</c>); <c>yyyy/MM/dd</c> (two-digit month and day);
/// <c>MM/dd/yyyy</c> and <c>M/d/yyyy</c>; <c>dd MMM yyyy</c> and <c>MMM dd, yyyy</c> (comma required; day with one
/// or two digits) with English three-letter month abbreviations or full names; 10-digit Unix epoch seconds.
/// A value without offset is UTC; a date alone is midnight UTC. Precision is the microsecond (PostgreSQL's
/// <c>timestamptz</c>): fraction digits past the sixth are dropped, not rounded (docs/DATA_CONTRACT_NOTES.md).
/// </summary>
public static class SaleDateParser
{
    private const long MaxOffsetMinutes = 14 * 60;

    private static readonly string[] MonthNames =
    [
        "january", "february", "march", "april", "may", "june",
        "july", "august", "september", "october", "november", "december",
    ];

    public static bool TryParse(string? text, out DateTime utc) => TryParse(text.AsSpan(), out utc);

    public static bool TryParse(ReadOnlySpan<char> text, out DateTime utc)
    {
        utc = default;
        text = AsciiText.Trim(text);
        if (text.Length < 8)
            return false;
        if (AsciiText.IsAsciiDigit(text[0]))
        {
            if (text.Length == 10 && AllDigits(text))
                return TryEpochSeconds(text, out utc);
            var yearFirst = AllDigits(text[..4]);
            if (yearFirst && text.Length >= 10 && text[4] == '-')
                return TryIso(text, out utc);
            if (yearFirst && text[4] == '/')
                return TryYearFirstSlashes(text, out utc);
            if (text[1] == '/' || text[2] == '/')
                return TryUsSlashes(text, out utc);
            return TryDayMonthNameYear(text, out utc);
        }
        return TryMonthNameDayYear(text, out utc);
    }

    // 10 digits: 1000000000 (2001-09-09) to 9999999999 (2286-11-20); leading zeros are allowed.
    private static bool TryEpochSeconds(ReadOnlySpan<char> text, out DateTime utc)
    {
        long seconds = 0;
        foreach (var c in text)
            seconds = (seconds * 10) + (c - '0');
        utc = DateTime.UnixEpoch.AddSeconds(seconds);
        return true;
    }

    // yyyy-MM-dd, then optionally either a space and HH:mm[:ss], or T and HH:mm[:ss[.fraction]][Z|±hh:mm].
    private static bool TryIso(ReadOnlySpan<char> text, out DateTime utc)
    {
        utc = default;
        if (!TryDigits(text, 0, 4, out var year) || text[4] != '-' || !TryDigits(text, 5, 2, out var month)
            || text[7] != '-' || !TryDigits(text, 8, 2, out var day))
        {
            return false;
        }
        if (text.Length == 10)
            return TryCreate(year, month, day, 0, 0, 0, 0, 0, out utc);

        var separator = text[10];
        if (separator != 'T' && separator != ' ')
            return false;
        var isoForm = separator == 'T';
        var rest = text[11..];
        if (rest.Length < 5 || !TryDigits(rest, 0, 2, out var hour) || rest[2] != ':' || !TryDigits(rest, 3, 2, out var minute))
            return false;
        var position = 5;
        var second = 0;
        long fractionTicks = 0;
        if (position < rest.Length && rest[position] == ':')
        {
            if (!TryDigits(rest, position + 1, 2, out second))
                return false;
            position += 3;
            if (isoForm && position < rest.Length && rest[position] == '.')
            {
                position++;
                var digits = 0;
                long scale = TimeSpan.TicksPerSecond;
                while (position < rest.Length && AsciiText.IsAsciiDigit(rest[position]))
                {
                    // The stored precision is the microsecond: digits past the sixth are dropped.
                    if (digits < 6)
                    {
                        scale /= 10;
                        fractionTicks += (rest[position] - '0') * scale;
                    }
                    digits++;
                    position++;
                }
                if (digits == 0)
                    return false;
            }
        }

        long offsetMinutes = 0;
        if (position < rest.Length)
        {
            var zone = rest[position..];
            if (!isoForm)
                return false;
            if (zone is "Z")
            {
                // UTC.
            }
            else if (zone.Length == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':'
                && TryDigits(zone, 1, 2, out var offsetHours) && TryDigits(zone, 4, 2, out var offsetMinute)
                && offsetMinute < 60)
            {
                offsetMinutes = (offsetHours * 60) + offsetMinute;
                if (offsetMinutes > MaxOffsetMinutes)
                    return false;
                if (zone[0] == '-')
                    offsetMinutes = -offsetMinutes;
            }
            else
            {
                return false;
            }
        }
        return TryCreate(year, month, day, hour, minute, second, fractionTicks, offsetMinutes, out utc);
    }

    // yyyy/MM/dd with two-digit month and day (unlike M/d/yyyy, the SPEC names no short form).
    private static bool TryYearFirstSlashes(ReadOnlySpan<char> text, out DateTime utc)
    {
        utc = default;
        if (text.Length != 10 || !TryDigits(text, 0, 4, out var year) || !TryDigits(text, 5, 2, out var month)
            || text[7] != '/' || !TryDigits(text, 8, 2, out var day))
        {
            return false;
        }
        return TryCreate(year, month, day, 0, 0, 0, 0, 0, out utc);
    }

    // MM/dd/yyyy and M/d/yyyy (US order).
    private static bool TryUsSlashes(ReadOnlySpan<char> text, out DateTime utc)
    {
        utc = default;
        var position = 0;
        if (!TryNumber(text, ref position, 1, 2, out var month) || !Expect(text, ref position, '/')
            || !TryNumber(text, ref position, 1, 2, out var day) || !Expect(text, ref position, '/')
            || !TryNumber(text, ref position, 4, 4, out var year) || position != text.Length)
        {
            return false;
        }
        return TryCreate(year, month, day, 0, 0, 0, 0, 0, out utc);
    }

    // dd MMM yyyy (also d MMMM yyyy).
    private static bool TryDayMonthNameYear(ReadOnlySpan<char> text, out DateTime utc)
    {
        utc = default;
        var position = 0;
        if (!TryNumber(text, ref position, 1, 2, out var day) || !Expect(text, ref position, ' ')
            || !TryMonthName(text, ref position, out var month) || !Expect(text, ref position, ' ')
            || !TryNumber(text, ref position, 4, 4, out var year) || position != text.Length)
        {
            return false;
        }
        return TryCreate(year, month, day, 0, 0, 0, 0, 0, out utc);
    }

    // MMM dd, yyyy (also MMMM d, yyyy); the comma is required.
    private static bool TryMonthNameDayYear(ReadOnlySpan<char> text, out DateTime utc)
    {
        utc = default;
        var position = 0;
        if (!TryMonthName(text, ref position, out var month) || !Expect(text, ref position, ' ')
            || !TryNumber(text, ref position, 1, 2, out var day))
        {
            return false;
        }
        if (!Expect(text, ref position, ',') || !Expect(text, ref position, ' ') || !TryNumber(text, ref position, 4, 4, out var year) || position != text.Length)
            return false;
        return TryCreate(year, month, day, 0, 0, 0, 0, 0, out utc);
    }

    private static bool TryMonthName(ReadOnlySpan<char> text, ref int position, out int month)
    {
        month = 0;
        var start = position;
        while (position < text.Length && char.IsAsciiLetter(text[position]))
            position++;
        var name = text[start..position];
        if (name.Length < 3)
            return false;
        for (var i = 0; i < MonthNames.Length; i++)
        {
            var full = MonthNames[i].AsSpan();
            if (name.Equals(full, StringComparison.OrdinalIgnoreCase)
                || name.Equals(full[..3], StringComparison.OrdinalIgnoreCase))
            {
                month = i + 1;
                return true;
            }
        }
        return false;
    }

    private static bool TryCreate(
        int year, int month, int day, int hour, int minute, int second, long fractionTicks, long offsetMinutes,
        out DateTime utc)
    {
        utc = default;
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }
        var ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks
            + fractionTicks - (offsetMinutes * TimeSpan.TicksPerMinute);
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
            return false;
        utc = new DateTime(ticks, DateTimeKind.Utc);
        return true;
    }

    private static bool Expect(ReadOnlySpan<char> text, ref int position, char expected)
    {
        if (position >= text.Length || text[position] != expected)
            return false;
        position++;
        return true;
    }

    private static bool TryNumber(ReadOnlySpan<char> text, ref int position, int minDigits, int maxDigits, out int value)
    {
        value = 0;
        var start = position;
        while (position < text.Length && AsciiText.IsAsciiDigit(text[position]) && position - start < maxDigits)
        {
            value = (value * 10) + (text[position] - '0');
            position++;
        }
        var count = position - start;
        // A digit right after the widest allowed number means the number is too long.
        return count >= minDigits && (position >= text.Length || !AsciiText.IsAsciiDigit(text[position]));
    }

    private static bool TryDigits(ReadOnlySpan<char> text, int start, int count, out int value)
    {
        value = 0;
        if (start + count > text.Length)
            return false;
        for (var i = start; i < start + count; i++)
        {
            if (!AsciiText.IsAsciiDigit(text[i]))
                return false;
            value = (value * 10) + (text[i] - '0');
        }
        return true;
    }

    private static bool AllDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!AsciiText.IsAsciiDigit(c))
                return false;
        }
        return true;
    }
}
