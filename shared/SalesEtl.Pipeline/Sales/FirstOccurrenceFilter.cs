using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using SalesEtl.Pipeline.Text;

namespace SalesEtl.Pipeline.Sales;

/// <summary>
/// Marks, while a file is read in order, the records whose transaction id certainly occurs for the first time in the
/// run, in a fixed amount of memory whatever the size of the file: a Bloom filter over the ASCII-trimmed ids.
/// <para>
/// A "first" answer is certain (a Bloom filter has no false negatives): no earlier record had the id, so the record,
/// should it pass rules 1–9, is the first participating row of its id (SPEC §1) and its fact can be loaded at once.
/// A "not first" answer may be wrong (a false positive: about 0.04 % of the ids at 10 M distinct ids in 16 MiB, one in
/// a billion at 1 M); such a record only takes the full duplicate check over the whole run, which is exact.
/// So the filter changes where a row goes and how fast, never the result.
/// </para>
/// Malformed records and records without an id never take part in duplicate detection, so they are never first and
/// never added. <see cref="SalesCsvReader"/> marks the records as it reads them. The hash is fixed (FNV-1a, then a 64-bit mix), so reading the same file again marks the same rows.
/// <para>
/// An id can be answered later (<see cref="AddLater"/>): its block is fetched from memory while the next records are
/// read, and the answer goes to its record when the id's turn comes. Ids are still added in the order they were given,
/// whichever way they were asked, so the answers are the same as if each had been asked at once.
/// </para>
/// </summary>
public sealed class FirstOccurrenceFilter
{
    const int Probes = 7;
    const int BitsPerProbe = 9;
    const int WordsPerBlock = 8;
    const int BlockBytes = WordsPerBlock * sizeof(ulong);

    /// <summary>The ingestor's default: 16 MiB, 2²⁷ bits.</summary>
    public const int DefaultBytes = 16 * 1024 * 1024;

    /// <summary>The largest filter: 512 MiB, 2³² bits.</summary>
    public const int MaxBytes = 512 * 1024 * 1024;

    /// <summary>The smallest filter: one 64-byte block.</summary>
    public const int MinBytes = BlockBytes;

    /// <summary>
    /// Ids answered later that may be waiting at once. The filter (16 MiB by default) is far larger than the caches, so
    /// each id costs a miss to memory (about a third of the ingestor's CPU when ids were answered at once); eight
    /// blocks fetched ahead cover the time a record takes to read.
    /// </summary>
    public const int DeferredIds = 8;

    readonly ulong[] words;
    readonly ulong blockMask;
    readonly DeferredId[] deferred = new DeferredId[DeferredIds];
    int deferredFirst;
    int deferredCount;

    /// <param name="bytes">The filter's size, rounded down to a power of two (at least <see cref="MinBytes"/>, at most <see cref="MaxBytes"/>).</param>
    public FirstOccurrenceFilter(int bytes)
    {
        var size = SizeFor(bytes);
        words = new ulong[size / sizeof(ulong)];
        blockMask = (ulong)(size / BlockBytes) - 1;
    }

    /// <summary>Forgets every id, for the next file: a filter kept from file to file instead of 16 MiB more garbage on the
    /// large object heap each time (the ingestor's resident memory grew by that much a run until a full collection).</summary>
    public void Clear()
    {
        Array.Clear(deferred);
        deferredFirst = 0;
        deferredCount = 0;
        Array.Clear(words);
    }

    /// <summary>The size of a filter asked for <paramref name="bytes"/>: rounded down to a power of two.</summary>
    public static int SizeFor(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, MinBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, MaxBytes);
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)bytes);
        return size == bytes ? size : size / 2;
    }

    /// <summary>The filter's size in bytes.</summary>
    public long Bytes => (long)words.Length * sizeof(ulong);

    /// <summary>A filter of <paramref name="bytes"/>, or none when <paramref name="bytes"/> is 0 (every record then takes the full check).</summary>
    public static FirstOccurrenceFilter? Create(int bytes) => bytes == 0 ? null : new FirstOccurrenceFilter(bytes);

    /// <summary>
    /// Whether a record's transaction id (as read, before trimming) certainly occurs for the first time; adds it. A
    /// missing or blank id claims nothing and is never first (<see cref="SalesCsvReader"/> asks for well-formed records only).
    /// </summary>
    public bool IsFirst(string? transactionId)
    {
        Settle();
        if (transactionId is null)
            return false;
        var id = AsciiText.Trim(transactionId);
        return !id.IsEmpty && Add(id);
    }

    /// <summary>
    /// <see cref="IsFirst(string?)"/> for an id as UTF-8 bytes (the CSV reader's field): the same answer for the same
    /// text. ASCII whitespace (what <see cref="System.Text.Ascii.Trim(ReadOnlySpan{byte})"/> trims) is trimmed the same on bytes; an
    /// ASCII id hashes the same as bytes as it does as chars, and any other is decoded to chars first.
    /// </summary>
    public bool IsFirstUtf8(ReadOnlySpan<byte> utf8TransactionId)
    {
        Settle();
        return TryHashUtf8(utf8TransactionId, out var hash) && Add(hash);
    }

    /// <summary>
    /// <see cref="IsFirstUtf8"/> answered later: the id's block is fetched now, and when the id's turn comes (after
    /// <see cref="DeferredIds"/> more, or at <see cref="Settle"/>) it is added and, if it was certainly not added
    /// before, <paramref name="marks"/> is told with <paramref name="token"/>. False, and nothing to wait for, when the
    /// id claims nothing (missing or blank).
    /// </summary>
    public bool AddLater(ReadOnlySpan<byte> utf8TransactionId, IFirstOccurrenceMarks marks, int token)
    {
        ArgumentNullException.ThrowIfNull(marks);
        if (!TryHashUtf8(utf8TransactionId, out var hash))
            return false;
        Prefetch(BlockOf(hash));
        if (deferredCount == DeferredIds)
            SettleOldest();
        deferred[(deferredFirst + deferredCount) % DeferredIds] = new DeferredId(hash, marks, token);
        deferredCount++;
        return true;
    }

    /// <summary>Adds every id given to <see cref="AddLater"/> and not yet added, in order, and tells their answers.</summary>
    public void Settle()
    {
        while (deferredCount > 0)
            SettleOldest();
    }

    void SettleOldest()
    {
        ref var next = ref deferred[deferredFirst];
        var (hash, marks, token) = (next.Hash, next.Marks, next.Token);
        next = default;
        deferredFirst = (deferredFirst + 1) % DeferredIds;
        deferredCount--;
        if (Add(hash))
            marks.MarkFirst(token);
    }

    // The hash an id is added under: ASCII whitespace trimmed as System.Text.Ascii.Trim does; an ASCII id hashes the same
    // as bytes as it does as chars, and any other is decoded to chars first.
    static bool TryHashUtf8(ReadOnlySpan<byte> utf8TransactionId, out ulong hash)
    {
        var id = utf8TransactionId[System.Text.Ascii.Trim(utf8TransactionId)];
        if (id.IsEmpty)
        {
            hash = 0;
            return false;
        }
        if (System.Text.Ascii.IsValid(id))
        {
            hash = Fnv1a(id);
            return true;
        }
        Span<char> chars = id.Length <= 512 ? stackalloc char[id.Length] : new char[id.Length];
        hash = Fnv1a(chars[..System.Text.Encoding.UTF8.GetChars(id, chars)]);
        return true;
    }

    /// <summary>Adds <paramref name="id"/>; true when it was certainly not added before.</summary>
    /// <remarks>
    /// Blocked: the seven probes of an id fall in one 64-byte block, one cache line, so an id costs one cache miss
    /// instead of seven (a profile of the ingestor showed the filter as its costliest method); 9 bits of a second mixed
    /// hash choose each probe's bit in the block.
    /// </remarks>
    public bool Add(ReadOnlySpan<char> id)
    {
        Settle();
        return Add(Fnv1a(id));
    }

    int BlockOf(ulong hash) => (int)(Mix(hash) & blockMask) * WordsPerBlock;

    unsafe void Prefetch(int block)
    {
        // Only a hint: the array lives on the large object heap, and a stale address after a compaction costs nothing.
        if (Sse.IsSupported)
            Sse.Prefetch0(Unsafe.AsPointer(ref words[block]));
    }

    bool Add(ulong hash)
    {
        var block = BlockOf(hash);
        var probes = Mix(hash ^ 0x9E3779B97F4A7C15UL);
        var added = false;
        for (var probe = 0; probe < Probes; probe++, probes >>= BitsPerProbe)
        {
            var bit = (int)(probes & ((1 << BitsPerProbe) - 1));
            ref var word = ref words[block + (bit >> 6)];
            var mask = 1UL << (bit & 63);
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

    // Over ASCII bytes: each byte is the char it encodes, so the hash is the chars' hash.
    static ulong Fnv1a(ReadOnlySpan<byte> ascii)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var b in ascii)
            hash = (hash ^ b) * 0x100000001B3UL;
        return hash;
    }

    // SplitMix64's finalizer: FNV-1a alone leaves the low bits of similar ids too alike to pick blocks and bits.
    static ulong Mix(ulong value)
    {
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }
}

/// <summary>Where <see cref="FirstOccurrenceFilter.AddLater"/> tells the ids that were certainly first.</summary>
public interface IFirstOccurrenceMarks
{
    /// <summary>The id given with <paramref name="token"/> occurs for the first time.</summary>
    void MarkFirst(int token);
}

readonly record struct DeferredId(ulong Hash, IFirstOccurrenceMarks Marks, int Token);
