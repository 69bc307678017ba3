using System.Numerics;
using SalesEtl.Pipeline.Text;

namespace SalesEtl.Pipeline.Sales;

/// <summary>
/// Marks, while a file is read in order, the records whose transaction id certainly occurs for the first time in the
/// run, in a fixed amount of memory whatever the size of the file: a Bloom filter over the ASCII-trimmed ids.
/// <para>
/// A "first" answer is certain (a Bloom filter has no false negatives): no earlier record had the id, so the record,
/// should it pass rules 1–9, is the first participating row of its id (SPEC §1) and its fact can be loaded at once.
/// A "not first" answer may be wrong (a false positive: about 0.03 % of the ids at 10 M distinct ids in 16 MiB, one in
/// a billion at 1 M); such a record only takes the full duplicate check over the whole run, which is exact.
/// So the filter changes where a row goes and how fast, never the result.
/// </para>
/// Malformed records and records without an id never take part in duplicate detection, so they are never first and
/// never added. The hash is fixed (FNV-1a, then a 64-bit mix), so reading the same file again marks the same rows.
/// </summary>
public sealed class FirstOccurrenceFilter
{
    const int Probes = 7;
    const int MinBytes = sizeof(ulong);

    /// <summary>The ingestor's default: 16 MiB, 2²⁷ bits.</summary>
    public const int DefaultBytes = 16 * 1024 * 1024;

    /// <summary>The largest filter: 512 MiB, 2³² bits.</summary>
    public const int MaxBytes = 512 * 1024 * 1024;

    readonly ulong[] words;
    readonly ulong bitMask;

    /// <param name="bytes">The filter's size, rounded down to a power of two (at least 8 bytes, at most <see cref="MaxBytes"/>).</param>
    public FirstOccurrenceFilter(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, MinBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, MaxBytes);
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)bytes);
        if (size != bytes)
            size /= 2;
        words = new ulong[size / sizeof(ulong)];
        bitMask = (ulong)size * 8 - 1;
    }

    /// <summary>The filter's size in bytes.</summary>
    public long Bytes => (long)words.Length * sizeof(ulong);

    /// <summary>A filter of <paramref name="bytes"/>, or none when <paramref name="bytes"/> is 0 (every record then takes the full check).</summary>
    public static FirstOccurrenceFilter? Create(int bytes) => bytes == 0 ? null : new FirstOccurrenceFilter(bytes);

    /// <summary>The record, marked <see cref="RawSale.FirstOccurrence"/> when its id is certainly the first of its kind.</summary>
    public RawSale Mark(RawSale row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.Malformed || row.TransactionId is null)
            return row;
        var id = AsciiText.Trim(row.TransactionId);
        return !id.IsEmpty && Add(id) ? row with { FirstOccurrence = true } : row;
    }

    /// <summary>Adds <paramref name="id"/>; true when it was certainly not added before.</summary>
    public bool Add(ReadOnlySpan<char> id)
    {
        var hash = Fnv1a(id);
        var first = Mix(hash);
        var step = Mix(hash ^ 0x9E3779B97F4A7C15UL) | 1;
        var added = false;
        for (var probe = 0UL; probe < Probes; probe++)
        {
            var bit = (first + (probe * step)) & bitMask;
            ref var word = ref words[bit >> 6];
            var mask = 1UL << (int)(bit & 63);
            if ((word & mask) == 0)
            {
                word |= mask;
                added = true;
            }
        }
        return added;
    }

    static ulong Fnv1a(ReadOnlySpan<char> text)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var c in text)
            hash = (hash ^ c) * 0x100000001B3UL;
        return hash;
    }

    // SplitMix64's finalizer: FNV-1a alone leaves the low bits of similar ids too alike for one index per probe.
    static ulong Mix(ulong value)
    {
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }
}
