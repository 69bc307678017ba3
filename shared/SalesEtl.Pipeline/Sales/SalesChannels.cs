using System.Collections.Frozen;
using SalesEtl.Pipeline.Text;

namespace SalesEtl.Pipeline.Sales;

/// <summary>The canonical sales channels of SPEC §1 and the aliases that map to them.</summary>
public static class SalesChannels
{
    public const string Online = "online";
    public const string Store = "store";
    public const string Mobile = "mobile";
    public const string Marketplace = "marketplace";
    public const string Phone = "phone";
    public const string Unknown = "unknown";

    // No alias key is longer; a longer key cannot match.
    private const int MaxKeyLength = 32;

    /// <summary>Every canonical value, <see cref="Unknown"/> last.</summary>
    public static IReadOnlyList<string> All { get; } = [Online, Store, Mobile, Marketplace, Phone, Unknown];

    /// <summary>The aliases of SPEC §1 (in their key form: lower case, one space between words) → canonical value.</summary>
    public static IReadOnlyDictionary<string, string> Aliases { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["online"] = Online, ["web"] = Online, ["website"] = Online, ["ecommerce"] = Online,
        ["e commerce"] = Online, ["internet"] = Online,
        ["store"] = Store, ["in store"] = Store, ["instore"] = Store, ["retail"] = Store, ["pos"] = Store,
        ["shop"] = Store, ["brick and mortar"] = Store,
        ["mobile"] = Mobile, ["app"] = Mobile, ["mobile app"] = Mobile, ["ios"] = Mobile, ["android"] = Mobile,
        ["marketplace"] = Marketplace, ["amazon"] = Marketplace, ["ebay"] = Marketplace, ["etsy"] = Marketplace,
        ["phone"] = Phone, ["telephone"] = Phone, ["call center"] = Phone, ["call centre"] = Phone,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> AliasLookup =
        ((FrozenDictionary<string, string>)Aliases).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// Maps a channel text to its canonical value: ASCII case is ignored, surrounding ASCII whitespace too, and
    /// spaces, <c>-</c> and <c>_</c> are alike (a run of them counts as one). False, with <see cref="Unknown"/>,
    /// for an empty text or one that is no alias.
    /// </summary>
    public static bool TryCanonicalize(ReadOnlySpan<char> text, out string canonical)
    {
        canonical = Unknown;
        text = AsciiText.Trim(text);
        if (text.IsEmpty)
            return false;
        Span<char> key = stackalloc char[MaxKeyLength];
        var length = 0;
        var inSeparator = false;
        foreach (var c in text)
        {
            var separator = c is '-' or '_' || AsciiText.IsWhiteSpace(c);
            if (separator && inSeparator)
                continue;
            // A run of separators collapses, so a long text may still shorten to an alias; a long key cannot.
            if (length == MaxKeyLength)
                return false;
            key[length++] = separator ? ' ' : char.ToLowerInvariant(c);
            inSeparator = separator;
        }
        if (!AliasLookup.TryGetValue(key[..length], out var value))
            return false;
        canonical = value;
        return true;
    }

    /// <summary>The canonical value of a channel text; <see cref="Unknown"/> when it has none.</summary>
    public static string Canonicalize(string? text)
    {
        TryCanonicalize(text.AsSpan(), out var canonical);
        return canonical;
    }
}
