using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SalesEtl.EndToEnd.Tests.Reference;

/// <summary>Value-level parsing and normalization of SPEC §1 and §2, one small function per rule.</summary>
public static partial class ReferenceValues
{
    /// <summary>Money fits numeric(18,2): at most 16 digits before the point.</summary>
    public const decimal MoneyLimit = 10_000_000_000_000_000m;

    private static readonly string[] MonthNames =
        ["january", "february", "march", "april", "may", "june",
         "july", "august", "september", "october", "november", "december"];

    private static readonly Dictionary<string, string> ChannelAliases = BuildChannelAliases();

    public static bool IsAsciiWhitespace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    /// <summary>Trims ASCII whitespace only (SPEC §1): a no-break space is data.</summary>
    public static string TrimAscii(string s)
    {
        var start = 0;
        var end = s.Length;
        while (start < end && IsAsciiWhitespace(s[start]))
            start++;
        while (end > start && IsAsciiWhitespace(s[end - 1]))
            end--;
        return s[start..end];
    }

    /// <summary>Trims, collapses inner runs of ASCII whitespace to one space; empty → null.</summary>
    public static string? CleanText(string? s)
    {
        if (s is null)
            return null;
        var sb = new StringBuilder();
        var pendingSpace = false;
        foreach (var c in TrimAscii(s))
        {
            if (IsAsciiWhitespace(c))
            {
                pendingSpace = true;
                continue;
            }

            if (pendingSpace)
                sb.Append(' ');
            pendingSpace = false;
            sb.Append(c);
        }

        return sb.Length == 0 ? null : sb.ToString();
    }

    /// <summary>Lower-case all, then upper-case the first letter of each space-separated word.</summary>
    public static string? TitleCase(string? cleaned)
    {
        if (cleaned is null)
            return null;
        var words = cleaned.ToLowerInvariant().Split(' ');
        return string.Join(' ', words.Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]));
    }

    /// <summary>A plain decimal: optional sign, digits with an optional fraction; no exponent, no separators.</summary>
    public static bool TryParsePlainDecimal(string s, out decimal value)
    {
        value = 0;
        if (!PlainDecimal().IsMatch(s))
            return false;
        return decimal.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
            CultureInfo.InvariantCulture, out value);
    }

    public static decimal RoundMoney(decimal value) => Normalize(Math.Round(value, 2, MidpointRounding.AwayFromZero));

    public static decimal RoundRatio(decimal value) => Normalize(Math.Round(value, 6, MidpointRounding.AwayFromZero));

    /// <summary>Exact division rounded half away from zero to 6 decimals; null when the denominator is 0.</summary>
    public static decimal? Ratio(decimal numerator, decimal denominator) =>
        denominator == 0 ? null : RoundRatio(numerator / denominator);

    /// <summary>Drops the sign of a decimal zero so that it never prints as "-0.00".</summary>
    public static decimal Normalize(decimal value) => value == 0 ? 0m : value;

    /// <summary>SPEC §1 quantity: a whole number, "3.0" is 3; null when invalid.</summary>
    public static int? ParseQuantity(string raw)
    {
        var s = TrimAscii(raw);
        // Judged on the text, so that a fraction too small for decimal ("1.000…0001") is still a fraction.
        if (!WholeNumber().IsMatch(s) || !TryParsePlainDecimal(s, out var d))
            return null;
        if (d != decimal.Truncate(d) || d > int.MaxValue || d < int.MinValue)
            return null;
        return (int)d;
    }

    /// <summary>
    /// SPEC §1 total_price: currency symbols and ASCII whitespace stripped, "," only as a thousands
    /// separator between well-formed groups before the point, "(x)" is −x, rounded to cents.
    /// Returns false when the text is not a number.
    /// </summary>
    public static bool TryParsePrice(string trimmed, out decimal price)
    {
        price = 0;
        var stripped = new string(trimmed.Where(c => c is not ('$' or '€' or '£') && !IsAsciiWhitespace(c)).ToArray());
        var negate = false;
        if (stripped.Length >= 2 && stripped[0] == '(' && stripped[^1] == ')')
        {
            stripped = stripped[1..^1];
            if (stripped.StartsWith('+') || stripped.StartsWith('-'))
                return false;
            negate = true;
        }

        var sign = stripped.StartsWith('+') || stripped.StartsWith('-') ? stripped[..1] : "";
        var body = stripped[sign.Length..];
        if (body.Contains(',', StringComparison.Ordinal))
        {
            // "1,234.50" is 1234.50, but "12,50" is refused: likely a decimal comma, and ×100 is worse than a reject.
            if (!ThousandsGroups().IsMatch(body))
                return false;
            body = body.Replace(",", "", StringComparison.Ordinal);
        }

        if (!TryParsePlainDecimal(sign + body, out var value))
            return false;
        value = RoundMoney(negate ? -value : value);
        if (Math.Abs(value) >= MoneyLimit)
            return false;
        price = value;
        return true;
    }

    /// <summary>SPEC §1 sales_channel: the canonical channel, or null when it maps to none (→ unknown).</summary>
    public static string? CanonicalChannel(string raw)
    {
        return ChannelAliases.GetValueOrDefault(ChannelKey(raw));
    }

    /// <summary>Trimmed, lower-cased, each run of spaces, ASCII whitespace, '-' and '_' one space.</summary>
    private static string ChannelKey(string raw)
    {
        var sb = new StringBuilder();
        foreach (var c in TrimAscii(raw).ToLowerInvariant())
        {
            var separator = c is '-' or '_' || IsAsciiWhitespace(c);
            if (!separator)
                sb.Append(c);
            else if (sb.Length == 0 || sb[^1] != ' ')
                sb.Append(' ');
        }

        return sb.ToString();
    }

    /// <summary>SPEC §1 sale_date in any accepted format, as UTC; null when in none.</summary>
    public static DateTime? ParseSaleDate(string raw)
    {
        var s = TrimAscii(raw);
        Match m;

        if ((m = IsoDate().Match(s)).Success)
            return Utc(Int(m, 1), Int(m, 2), Int(m, 3), 0, 0, 0);

        if ((m = DateAndTime().Match(s)).Success)
            return Utc(Int(m, 1), Int(m, 2), Int(m, 3), Int(m, 4), Int(m, 5), m.Groups[6].Success ? Int(m, 6) : 0);

        if ((m = Iso8601().Match(s)).Success)
            return FromIso8601(m);

        if ((m = SlashedIsoDate().Match(s)).Success)
            return Utc(Int(m, 1), Int(m, 2), Int(m, 3), 0, 0, 0);

        if ((m = UsDate().Match(s)).Success)
            return Utc(Int(m, 3), Int(m, 1), Int(m, 2), 0, 0, 0);

        if ((m = DayMonthYear().Match(s)).Success)
            return Month(m.Groups[2].Value) is { } dm ? Utc(Int(m, 3), dm, Int(m, 1), 0, 0, 0) : null;

        if ((m = MonthDayYear().Match(s)).Success)
            return Month(m.Groups[1].Value) is { } md ? Utc(Int(m, 3), md, Int(m, 2), 0, 0, 0) : null;

        if (EpochSeconds().IsMatch(s))
            return DateTimeOffset.FromUnixTimeSeconds(long.Parse(s, CultureInfo.InvariantCulture)).UtcDateTime;

        return null;
    }

    private static DateTime? FromIso8601(Match m)
    {
        var local = Utc(Int(m, 1), Int(m, 2), Int(m, 3), Int(m, 4), Int(m, 5), m.Groups[6].Success ? Int(m, 6) : 0);
        if (local is null)
            return null;
        var value = local.Value;
        if (m.Groups[7].Success)
        {
            // The precision is the microsecond (PostgreSQL timestamptz): digits past the sixth are cut off.
            var digits = m.Groups[7].Value;
            var micros = long.Parse((digits.Length > 6 ? digits[..6] : digits).PadRight(6, '0'), CultureInfo.InvariantCulture);
            value = value.AddTicks(micros * 10);
        }

        var zone = m.Groups[8].Value;
        if (zone.Length == 0 || zone == "Z")
            return value;

        var hours = int.Parse(zone[1..3], CultureInfo.InvariantCulture);
        var minutes = int.Parse(zone[4..6], CultureInfo.InvariantCulture);
        if (minutes > 59 || hours * 60 + minutes > 14 * 60)
            return null;
        var offset = new TimeSpan(hours, minutes, 0);
        if (zone[0] == '-')
            offset = -offset;
        // A local time at offset +h is UTC minus h.
        var ticksUtc = value.Ticks - offset.Ticks;
        if (ticksUtc < DateTime.MinValue.Ticks || ticksUtc > DateTime.MaxValue.Ticks)
            return null;
        return new DateTime(ticksUtc, DateTimeKind.Utc);
    }

    private static DateTime? Utc(int year, int month, int day, int hour, int minute, int second)
    {
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
            return null;
        if (hour > 23 || minute > 59 || second > 59)
            return null;
        return new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
    }

    private static int? Month(string name)
    {
        var lower = name.ToLowerInvariant();
        for (var i = 0; i < MonthNames.Length; i++)
        {
            if (lower == MonthNames[i] || lower == MonthNames[i][..3])
                return i + 1;
        }

        return null;
    }

    private static int Int(Match m, int group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    private static Dictionary<string, string> BuildChannelAliases()
    {
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string channel, params string[] names)
        {
            foreach (var name in names)
                aliases[ChannelKey(name)] = channel;
        }

        Add(Channels.Online, "online", "web", "website", "ecommerce", "e-commerce", "internet");
        Add(Channels.Store, "store", "in-store", "instore", "retail", "pos", "shop", "brick and mortar");
        Add(Channels.Mobile, "mobile", "app", "mobile app", "ios", "android");
        Add(Channels.Marketplace, "marketplace", "amazon", "ebay", "etsy");
        Add(Channels.Phone, "phone", "telephone", "call center", "call centre");
        return aliases;
    }

    [GeneratedRegex("^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)\\z")]
    private static partial Regex PlainDecimal();

    [GeneratedRegex("^[+-]?([0-9]+(\\.0*)?|\\.0+)\\z")]
    private static partial Regex WholeNumber();

    [GeneratedRegex("^[0-9]{1,3}(,[0-9]{3})+(\\.[0-9]*)?\\z")]
    private static partial Regex ThousandsGroups();

    [GeneratedRegex("^([0-9]{4})-([0-9]{2})-([0-9]{2})\\z")]
    private static partial Regex IsoDate();

    [GeneratedRegex("^([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?\\z")]
    private static partial Regex DateAndTime();

    [GeneratedRegex("^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\\.([0-9]+))?)?(Z|[+-][0-9]{2}:[0-9]{2})?\\z")]
    private static partial Regex Iso8601();

    [GeneratedRegex("^([0-9]{4})/([0-9]{2})/([0-9]{2})\\z")]
    private static partial Regex SlashedIsoDate();

    [GeneratedRegex("^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})\\z")]
    private static partial Regex UsDate();

    [GeneratedRegex("^([0-9]{1,2}) ([A-Za-z]+) ([0-9]{4})\\z")]
    private static partial Regex DayMonthYear();

    [GeneratedRegex("^([A-Za-z]+) ([0-9]{1,2}), ([0-9]{4})\\z")]
    private static partial Regex MonthDayYear();

    [GeneratedRegex("^[0-9]{10}\\z")]
    private static partial Regex EpochSeconds();
}
