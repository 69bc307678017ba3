using System.Buffers;

namespace SalesEtl.Pipeline.Buffers;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> of bytes over arrays rented from <see cref="ChunkBuffers.Pool"/>: a chunk's
/// payload (megabytes) is built without a fresh large-object-heap array per chunk. Dispose returns the array;
/// what <see cref="WrittenMemory"/> gave out must not be used after that. Not thread-safe.
/// </summary>
public sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    byte[] buffer;
    int written;

    public PooledBufferWriter(int initialCapacity = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialCapacity);
        buffer = ChunkBuffers.Pool.Rent(initialCapacity);
    }

    public int WrittenCount => written;

    public ReadOnlyMemory<byte> WrittenMemory => buffer.AsMemory(0, written);

    public ReadOnlySpan<byte> WrittenSpan => buffer.AsSpan(0, written);

    /// <summary>Written bytes to overwrite in place: a header patched once its value is known.</summary>
    public Span<byte> GetWrittenSpan(int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, written - start);
        return buffer.AsSpan(start, length);
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > buffer.Length - written)
            throw new InvalidOperationException($"Cannot advance {count} bytes past the {buffer.Length - written} bytes available.");
        written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return buffer.AsMemory(written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return buffer.AsSpan(written);
    }

    /// <summary>Forgets what was written and keeps the array, to build the next payload in it.</summary>
    public void Clear() => written = 0;

    public void Dispose()
    {
        var rented = buffer;
        buffer = [];
        written = 0;
        if (rented.Length > 0)
            ChunkBuffers.Pool.Return(rented);
    }

    void Reserve(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(buffer.Length == 0, this);
        var needed = Math.Max(sizeHint, 1);
        if (buffer.Length - written >= needed)
            return;
        var size = (int)Math.Min(Array.MaxLength, Math.Max((long)written + needed, buffer.Length * 2L));
        if (size - written < needed)
            throw new OutOfMemoryException($"A buffer of {(long)written + needed} bytes is larger than an array can be.");
        var bigger = ChunkBuffers.Pool.Rent(size);
        buffer.AsSpan(0, written).CopyTo(bigger);
        ChunkBuffers.Pool.Return(buffer);
        buffer = bigger;
    }
}
