using System.Buffers.Binary;
using SalesEtl.Pipeline.Buffers;

namespace SalesEtl.Data.Facts;

/// <summary>
/// Reads PostgreSQL's binary COPY format (<see cref="PgBinaryCopy"/>) as <c>COPY … TO STDOUT (FORMAT BINARY)</c> sends it
/// through <c>NpgsqlConnection.BeginRawBinaryCopy</c>: row after row, each field a span of a pooled buffer, valid until the
/// next row is read. No allocation per row or field. Synchronous: one reader per thread.
/// </summary>
public sealed class PgBinaryCopyReader : IDisposable
{
    readonly Stream stream;
    readonly int fieldCount;
    byte[] buffer;
    int start;
    int end;
    bool headerRead;
    bool finished;

    public PgBinaryCopyReader(Stream stream, int fieldCount, int bufferSize = 1 << 20)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fieldCount);
        this.stream = stream;
        this.fieldCount = fieldCount;
        buffer = ChunkBuffers.Pool.Rent(bufferSize);
    }

    /// <summary>
    /// Reads the next row: <paramref name="offsets"/> and <paramref name="lengths"/> (one per field; a null field has
    /// length -1) locate its fields in <paramref name="row"/>. False after the last row.
    /// </summary>
    public bool TryReadRow(Span<int> offsets, Span<int> lengths, out ReadOnlySpan<byte> row)
    {
        row = default;
        if (finished)
            return false;
        if (!headerRead)
            ReadHeader();
        while (true)
        {
            var data = buffer.AsSpan(start, end - start);
            var length = Parse(data, offsets, lengths);
            if (length > 0)
            {
                row = data[..length];
                start += length;
                return true;
            }
            if (length == 0)
            {
                finished = true;
                return false;
            }
            if (!Fill(-length))
                throw new InvalidDataException("The binary COPY data ended inside a row.");
        }
    }

    // The row's length when data holds all of it; 0 for the trailer; minus the bytes needed when it holds only part.
    int Parse(ReadOnlySpan<byte> data, Span<int> offsets, Span<int> lengths)
    {
        if (data.Length < 2)
            return -2;
        var count = BinaryPrimitives.ReadInt16BigEndian(data);
        if (count == -1)
            return 0;
        if (count != fieldCount)
            throw new InvalidDataException($"A binary COPY row has {count} fields, not {fieldCount}.");
        var position = 2;
        for (var i = 0; i < fieldCount; i++)
        {
            if (data.Length - position < 4)
                return -(position + 4);
            var length = BinaryPrimitives.ReadInt32BigEndian(data[position..]);
            position += 4;
            offsets[i] = position;
            lengths[i] = length;
            if (length > 0)
            {
                if (data.Length - position < length)
                    return -(position + length);
                position += length;
            }
        }
        return position;
    }

    void ReadHeader()
    {
        var signature = PgBinaryCopy.Header[..11];
        if (!Fill(signature.Length + 8))
            throw new InvalidDataException("The binary COPY data ended before its header.");
        if (!buffer.AsSpan(start, signature.Length).SequenceEqual(signature))
            throw new InvalidDataException("The data does not start with the binary COPY signature.");
        var extension = BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(start + signature.Length + 4));
        var headerLength = signature.Length + 8 + extension;
        if (!Fill(headerLength))
            throw new InvalidDataException("The binary COPY data ended inside its header extension.");
        start += headerLength;
        headerRead = true;
    }

    // Reads until at least `needed` bytes from start are buffered; false when the stream ends first.
    bool Fill(int needed)
    {
        if (needed > buffer.Length)
        {
            var larger = ChunkBuffers.Pool.Rent(needed);
            buffer.AsSpan(start, end - start).CopyTo(larger);
            ChunkBuffers.Pool.Return(buffer);
            buffer = larger;
            end -= start;
            start = 0;
        }
        else if (start + needed > buffer.Length)
        {
            buffer.AsSpan(start, end - start).CopyTo(buffer);
            end -= start;
            start = 0;
        }
        while (end - start < needed)
        {
            var read = stream.Read(buffer, end, buffer.Length - end);
            if (read == 0)
                return false;
            end += read;
        }
        return true;
    }

    public void Dispose()
    {
        if (buffer.Length > 0)
            ChunkBuffers.Pool.Return(buffer);
        buffer = [];
    }
}
