using System.Numerics;

namespace SalesEtl.Pipeline.Metrics;

/// <summary>
/// A hash table from UTF-8 keys (compared byte for byte, as PostgreSQL compares texts under a deterministic collation)
/// to mutable values, with its keys in one growing array: no object per key, so that millions of customers cost a
/// few arrays rather than millions of strings. Entries keep the order they were added in. Not thread-safe.
/// </summary>
public sealed class Utf8KeyedTable<TValue>
    where TValue : struct
{
    struct Entry
    {
        public int KeyOffset;
        public int KeyLength;
        public uint Hash;
        public int Next;
        public TValue Value;
    }

    byte[] keys;
    int keysUsed;
    int[] buckets;
    Entry[] entries;
    int count;

    public Utf8KeyedTable(int capacity = 1024)
    {
        capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 16));
        keys = new byte[capacity * 16];
        buckets = new int[capacity];
        entries = new Entry[capacity];
    }

    public int Count => count;

    /// <summary>The value of <paramref name="key"/>, added as <c>default</c> when it is not there yet.</summary>
    public ref TValue GetOrAdd(ReadOnlySpan<byte> key, ulong hash, out bool added)
    {
        var shortHash = (uint)hash;
        var bucket = (int)(shortHash & (uint)(buckets.Length - 1));
        for (var i = buckets[bucket] - 1; i >= 0; i = entries[i].Next)
        {
            ref var entry = ref entries[i];
            if (entry.Hash == shortHash && key.SequenceEqual(keys.AsSpan(entry.KeyOffset, entry.KeyLength)))
            {
                added = false;
                return ref entry.Value;
            }
        }

        if (count == entries.Length)
        {
            Grow();
            bucket = (int)(shortHash & (uint)(buckets.Length - 1));
        }
        if (keysUsed + key.Length > keys.Length)
            Array.Resize(ref keys, Math.Max(keys.Length * 2, keysUsed + key.Length));
        key.CopyTo(keys.AsSpan(keysUsed));
        ref var slot = ref entries[count];
        slot = new Entry { KeyOffset = keysUsed, KeyLength = key.Length, Hash = shortHash, Next = buckets[bucket] - 1 };
        keysUsed += key.Length;
        buckets[bucket] = ++count;
        added = true;
        return ref slot.Value;
    }

    public ReadOnlySpan<byte> KeyAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)count, nameof(index));
        ref readonly var entry = ref entries[index];
        return keys.AsSpan(entry.KeyOffset, entry.KeyLength);
    }

    public ref TValue ValueAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)count, nameof(index));
        return ref entries[index].Value;
    }

    /// <summary>Empties the table, keeping its arrays for the next use.</summary>
    public void Clear()
    {
        Array.Clear(buckets);
        Array.Clear(entries, 0, count);
        count = 0;
        keysUsed = 0;
    }

    void Grow()
    {
        Array.Resize(ref entries, entries.Length * 2);
        buckets = new int[entries.Length];
        for (var i = 0; i < count; i++)
        {
            var bucket = (int)(entries[i].Hash & (uint)(buckets.Length - 1));
            entries[i].Next = buckets[bucket] - 1;
            buckets[bucket] = i + 1;
        }
    }
}

/// <summary>
/// A 64-bit hash of UTF-8 bytes, eight at a time (ids of 8–16 bytes, hashed three times per fact in the metrics' read),
/// then a 64-bit finalizer so that every bit depends on every byte. Fixed, though nothing stores it.
/// </summary>
public static class Utf8Hash
{
    public static ulong Of(ReadOnlySpan<byte> bytes)
    {
        var hash = 0x9E3779B97F4A7C15UL ^ (ulong)bytes.Length;
        while (bytes.Length >= 8)
        {
            hash = (hash ^ System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes)) * 0xff51afd7ed558ccdUL;
            hash ^= hash >> 32;
            bytes = bytes[8..];
        }
        if (!bytes.IsEmpty)
        {
            ulong tail = 0;
            for (var i = 0; i < bytes.Length; i++)
                tail |= (ulong)bytes[i] << (8 * i);
            hash = (hash ^ tail) * 0xc4ceb9fe1a85ec53UL;
        }
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;
        return hash;
    }
}
