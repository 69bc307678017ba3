using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using SalesEtl.Pipeline.Buffers;

namespace SalesEtl.Pipeline.Sales;

/// <summary>
/// A staged chunk of <see cref="RawSale"/> records as one byte payload (one <c>staged_chunks</c> row instead of one
/// row per record). Format version 3, little-endian:
/// <code>
/// byte     format version (3)
/// int32    row count
/// per row: varint   source line, zig-zag of its difference from the row before's (the first row's from 0)
///          byte     flags: 1 malformed, 2 first occurrence of its transaction id
///          text     raw text: a varint of (UTF-8 length + 1), then the UTF-8 bytes
///          7 fields transaction id, customer id, product id, sale date, quantity, total price, sales channel; each a
///                   varint tag: 0 null; odd, (offset &lt;&lt; 1) | 1, then a varint length: the bytes at that offset of
///                   the raw text (a field is nearly always a part of its record's text); even, (UTF-8 length + 1) &lt;&lt; 1,
///                   then the field's own UTF-8 bytes (an empty field, one whose quotes were doubled, one not found)
/// </code>
/// About two thirds of version 2's bytes (which held each field beside the raw text): every byte staged is stored
/// and read back by PostgreSQL, encrypted on the wire when TLS is on, and copied by both services.
/// Version 2 (8 texts of (length + 1) and bytes, the raw text last; absolute lines) and version 1 (no
/// first-occurrence flag) still read, so chunks staged before an upgrade are transformed after it.
/// Encoding writes straight into the caller's buffer writer (no allocation per field); text that is not valid
/// UTF-16 (a lone surrogate) is refused, as PostgreSQL's text columns refused it before. A payload that is
/// truncated, has bytes left over, carries an unknown version or flag, or a field outside its raw text fails with an
/// <see cref="InvalidDataException"/>.
/// </summary>
public static class StagedChunkCodec
{
    public const byte FormatVersion = 3;

    const byte OldestReadableVersion = 1;
    const byte FieldsBesideRawTextVersion = 2;
    const byte MalformedFlag = 1;
    const byte FirstOccurrenceFlag = 2;

    const int HeaderBytes = 1 + sizeof(int);
    const int MaxVarintBytes = 10;
    const int Fields = 7;

    // Smallest row: a one-byte line, the flags, the raw text's one-byte length and seven one-byte tags.
    const int MinRowBytes = 3 + Fields;

    static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// A first buffer size for the payload of <paramref name="records"/> records: about 110 bytes a record in the bench
    /// file, so 128; the buffer grows if a chunk needs more.
    /// </summary>
    public static int EstimatedPayloadBytes(int records) => (int)Math.Clamp(records * 128L, 4096, 128L * 100_000);

    /// <summary>Appends the payload of <paramref name="rows"/> to <paramref name="output"/>.</summary>
    public static void Encode(IReadOnlyList<RawSale> rows, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(output);
        WriteHeader(output, rows.Count);
        long previousLine = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            Append(output, rows[i], previousLine, nameof(rows));
            previousLine = rows[i].SourceLine;
        }
    }

    /// <summary>
    /// Encodes a chunk one record at a time into a pooled buffer, so that a caller reading records (the ingestor) can
    /// let each go once it is appended instead of holding the whole chunk in a list. The header's row count is patched
    /// when <see cref="Payload"/> is taken; the bytes are those <see cref="Encode"/> writes for the same records.
    /// Reusable: <see cref="Reset"/> starts the next chunk in the same buffer. Not thread-safe.
    /// </summary>
    public sealed class Encoder : IDisposable, IFirstOccurrenceMarks
    {
        readonly PooledBufferWriter output;

        // The filter that holds ids of this chunk's records still to be answered (BeginRecord with a filter).
        FirstOccurrenceFilter? marking;

        // A record begun by BeginRecord and not yet given its texts.
        bool recordOpen;

        /// <summary>Starts a chunk; <paramref name="capacityHint"/> sizes the first buffer, which grows if needed.</summary>
        public Encoder(int capacityHint = 4096)
        {
            output = new PooledBufferWriter(Math.Max(capacityHint, HeaderBytes));
            WriteHeader(output, 0);
        }

        /// <summary>The records appended since the chunk started.</summary>
        public int Count { get; private set; }

        /// <summary>The source line of the first record appended; 0 while none is.</summary>
        public long FirstSourceLine { get; private set; }

        /// <summary>The source line of the last record appended (the next record's line is written against it); 0 while none is.</summary>
        public long LastSourceLine { get; private set; }

        /// <summary>
        /// The chunk's payload, its header announcing <see cref="Count"/> rows. Valid until the next
        /// <see cref="Append(RawSale)"/>, <see cref="Reset"/> or <see cref="Dispose"/>.
        /// </summary>
        public ReadOnlyMemory<byte> Payload
        {
            get
            {
                SettleMarks();
                BinaryPrimitives.WriteInt32LittleEndian(output.GetWrittenSpan(1, sizeof(int)), Count);
                return output.WrittenMemory;
            }
        }

        /// <summary>Encodes one record after those appended before; throws as <see cref="Encode"/> does.</summary>
        public void Append(RawSale row)
        {
            ArgumentNullException.ThrowIfNull(row);
            if (recordOpen)
                throw new InvalidOperationException("The record begun was not ended.");
            StagedChunkCodec.Append(output, row, LastSourceLine, nameof(row));
            Track(row.SourceLine);
            Count++;
        }

        /// <summary>
        /// Begins a record whose texts come as UTF-8 (<see cref="AppendTexts"/>, which ends it): the ingestor copies
        /// them from the CSV reader's bytes, without a string per field. The record decodes as
        /// <see cref="Append(RawSale)"/>'s does (a test holds them equal).
        /// </summary>
        public void BeginRecord(long sourceLine, bool malformed, bool firstOccurrence)
        {
            if (recordOpen)
                throw new InvalidOperationException("The previous record was not ended.");
            WriteRecordHead(output, sourceLine, LastSourceLine, malformed, firstOccurrence);
            recordOpen = true;
            Track(sourceLine);
        }

        /// <summary>
        /// Begins a well-formed record whose first-occurrence flag <paramref name="firstOccurrences"/> decides later
        /// (<see cref="FirstOccurrenceFilter.AddLater"/>), at the latest when <see cref="Payload"/> is taken: the same
        /// bytes as <see cref="BeginRecord(long, bool, bool)"/> with the filter's <see cref="FirstOccurrenceFilter.IsFirstUtf8"/>.
        /// </summary>
        public void BeginRecord(long sourceLine, FirstOccurrenceFilter firstOccurrences, ReadOnlySpan<byte> transactionIdUtf8)
        {
            ArgumentNullException.ThrowIfNull(firstOccurrences);
            if (marking is not null && !ReferenceEquals(marking, firstOccurrences))
                SettleMarks();
            BeginRecord(sourceLine, malformed: false, firstOccurrence: false);
            // The flag byte is the last one written.
            if (firstOccurrences.AddLater(transactionIdUtf8, this, output.WrittenCount - 1))
                marking = firstOccurrences;
        }

        void IFirstOccurrenceMarks.MarkFirst(int token) => output.GetWrittenSpan(token, 1)[0] |= FirstOccurrenceFlag;

        void SettleMarks()
        {
            marking?.Settle();
            marking = null;
        }

        /// <summary>
        /// The texts of the record begun, which this ends: its raw text and its seven fields, each a span of the raw
        /// text's memory where the CSV reader found it (then written as its offset, without a copy; a field elsewhere,
        /// unescaped from doubled quotes, is written as its own bytes). Refused, as <see cref="Append(RawSale)"/>
        /// refuses it, when a text is not UTF-8.
        /// </summary>
        public void AppendTexts(ReadOnlySpan<byte> rawText, ReadOnlySpan<byte> transactionId, ReadOnlySpan<byte> customerId,
            ReadOnlySpan<byte> productId, ReadOnlySpan<byte> saleDate, ReadOnlySpan<byte> quantity, ReadOnlySpan<byte> totalPrice,
            ReadOnlySpan<byte> salesChannel)
        {
            if (!recordOpen)
                throw new InvalidOperationException("A record's texts are appended after BeginRecord.");
            if (!System.Text.Unicode.Utf8.IsValid(rawText))
                throw new ArgumentException($"The raw text of the record at line {LastSourceLine} is not valid UTF-8.", nameof(rawText));
            WriteBytes(output, rawText);
            WriteField(output, rawText, transactionId, LastSourceLine);
            WriteField(output, rawText, customerId, LastSourceLine);
            WriteField(output, rawText, productId, LastSourceLine);
            WriteField(output, rawText, saleDate, LastSourceLine);
            WriteField(output, rawText, quantity, LastSourceLine);
            WriteField(output, rawText, totalPrice, LastSourceLine);
            WriteField(output, rawText, salesChannel, LastSourceLine);
            recordOpen = false;
            Count++;
        }

        /// <summary>Forgets the records appended and starts the next chunk in the same buffer.</summary>
        public void Reset()
        {
            // The ids still waiting are added (in order) before their records go: the filter must know every id read.
            SettleMarks();
            recordOpen = false;
            output.Clear();
            WriteHeader(output, 0);
            Count = 0;
            FirstSourceLine = 0;
            LastSourceLine = 0;
        }

        public void Dispose() => output.Dispose();

        void Track(long sourceLine)
        {
            if (Count == 0)
                FirstSourceLine = sourceLine;
            LastSourceLine = sourceLine;
        }
    }

    static void WriteHeader(IBufferWriter<byte> output, int count)
    {
        var header = output.GetSpan(HeaderBytes);
        header[0] = FormatVersion;
        BinaryPrimitives.WriteInt32LittleEndian(header[1..], count);
        output.Advance(HeaderBytes);
    }

    static void WriteRecordHead(IBufferWriter<byte> output, long sourceLine, long previousLine, bool malformed, bool firstOccurrence)
    {
        var span = output.GetSpan(MaxVarintBytes + 1);
        var length = WriteVarint(span, ZigZag(sourceLine - previousLine));
        span[length++] = (byte)((malformed ? MalformedFlag : 0) | (firstOccurrence ? FirstOccurrenceFlag : 0));
        output.Advance(length);
    }

    static void Append(IBufferWriter<byte> output, RawSale row, long previousLine, string paramName)
    {
        var rawText = row.RawText ?? throw new ArgumentException($"The record at line {row.SourceLine} has no raw text.", paramName);
        WriteRecordHead(output, row.SourceLine, previousLine, row.Malformed, row.FirstOccurrence);
        var rawBytes = ArrayPool<byte>.Shared.Rent(EncodedLength(rawText));
        try
        {
            var raw = rawBytes.AsSpan(0, Utf8.GetBytes(rawText, rawBytes));
            WriteBytes(output, raw);
            foreach (var field in (ReadOnlySpan<string?>)[row.TransactionId, row.CustomerId, row.ProductId, row.SaleDate, row.Quantity, row.TotalPrice, row.SalesChannel])
            {
                if (field is null)
                {
                    output.GetSpan(1)[0] = 0;
                    output.Advance(1);
                    continue;
                }
                var fieldBytes = ArrayPool<byte>.Shared.Rent(EncodedLength(field));
                try
                {
                    WriteField(output, raw, fieldBytes.AsSpan(0, Utf8.GetBytes(field, fieldBytes)), row.SourceLine);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(fieldBytes);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rawBytes);
        }
    }

    // The UTF-8 length of a text, which must be valid UTF-16 (PostgreSQL's text columns refuse a lone surrogate).
    static int EncodedLength(string text) => Utf8.GetByteCount(text);

    static void WriteBytes(IBufferWriter<byte> output, ReadOnlySpan<byte> utf8)
    {
        var span = output.GetSpan(MaxVarintBytes + utf8.Length);
        var length = WriteVarint(span, (ulong)utf8.Length + 1);
        utf8.CopyTo(span[length..]);
        output.Advance(length + utf8.Length);
    }

    // A field as a part of the raw text when it is one (where the reader found it, or where it first occurs), else its
    // own bytes; an empty field is its own (one byte, against two for an offset and a length).
    static void WriteField(IBufferWriter<byte> output, ReadOnlySpan<byte> rawText, ReadOnlySpan<byte> field, long sourceLine)
    {
        if (!field.IsEmpty)
        {
            var offset = (long)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(rawText), ref MemoryMarshal.GetReference(field));
            if (offset < 0 || offset > rawText.Length - field.Length)
                offset = rawText.IndexOf(field);
            if (offset >= 0)
            {
                var span = output.GetSpan(2 * MaxVarintBytes);
                var length = WriteVarint(span, ((ulong)offset << 1) | 1);
                length += WriteVarint(span[length..], (ulong)field.Length);
                output.Advance(length);
                return;
            }
        }
        if (!System.Text.Unicode.Utf8.IsValid(field))
            throw new ArgumentException($"A field of the record at line {sourceLine} is not valid UTF-8.", nameof(field));
        var own = output.GetSpan(MaxVarintBytes + field.Length);
        var written = WriteVarint(own, ((ulong)field.Length + 1) << 1);
        field.CopyTo(own[written..]);
        output.Advance(written + field.Length);
    }

    /// <summary>The row count a payload announces, read from its header alone.</summary>
    public static int ReadRowCount(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < HeaderBytes)
            throw Truncated(payload.Length, $"its {HeaderBytes}-byte header");
        if (payload[0] is < OldestReadableVersion or > FormatVersion)
            throw new InvalidDataException($"The staged chunk has format version {payload[0]}; this build reads versions {OldestReadableVersion} to {FormatVersion} (stage the file again).");
        var count = BinaryPrimitives.ReadInt32LittleEndian(payload[1..]);
        if (count < 0)
            throw new InvalidDataException($"The staged chunk announces {count} rows.");
        return count;
    }

    /// <summary>Reads a payload back into records, in the order they were encoded.</summary>
    public static List<RawSale> Decode(ReadOnlySpan<byte> payload)
    {
        var reader = new Reader(payload);
        // A corrupt count must not size the list: no row is smaller than MinRowBytes.
        var rows = new List<RawSale>(Math.Min(reader.Count, (payload.Length - HeaderBytes) / MinRowBytes));
        while (reader.TryRead(out var row))
            rows.Add(row);
        return rows;
    }

    /// <summary>
    /// Reads a payload one record at a time, so that a caller can process a record and let it go before reading the
    /// next: a chunk's records then die young instead of all living until the last is processed. The checks are those
    /// of <see cref="Decode"/>, which uses it; bytes left over after the last record fail on the read that finds none.
    /// </summary>
    public ref struct Reader
    {
        readonly ReadOnlySpan<byte> payload;
        readonly byte version;
        readonly byte definedFlags;
        int position;
        int read;
        long previousLine;

        /// <summary>Reads the header; throws as <see cref="ReadRowCount"/> does.</summary>
        public Reader(ReadOnlySpan<byte> payload)
        {
            Count = ReadRowCount(payload);
            this.payload = payload;
            version = payload[0];
            definedFlags = version == OldestReadableVersion ? MalformedFlag : (byte)(MalformedFlag | FirstOccurrenceFlag);
            position = HeaderBytes;
        }

        /// <summary>The row count the header announces.</summary>
        public int Count { get; }

        /// <summary>The next record; false after the last one, once the payload is checked to end there.</summary>
        public bool TryRead([NotNullWhen(true)] out RawSale? row)
        {
            if (!TryReadRecord(out var record))
            {
                row = null;
                return false;
            }
            row = record.ToRawSale(read - 1);
            return true;
        }

        /// <summary>
        /// The next record as it lies in the payload, its texts as UTF-8 spans valid while the payload is: what
        /// <see cref="TryRead"/> gives without a string per text (the transformer's hot path). The texts are not
        /// checked to be UTF-8 here; <see cref="StagedRecord.ToRawSale"/> and the transformer's decoding check them.
        /// </summary>
        public bool TryReadRecord(out StagedRecord record)
        {
            if (read == Count)
            {
                if (position != payload.Length)
                    throw new InvalidDataException($"The staged chunk has {payload.Length - position} bytes after its {Count} rows.");
                record = default;
                return false;
            }
            var i = read;
            var line = UnZigZag(ReadVarint(payload, ref position, i));
            var sourceLine = version > FieldsBesideRawTextVersion ? previousLine + line : line;
            if (position >= payload.Length)
                throw Truncated(payload.Length, $"row {i + 1} of {Count}");
            var flags = payload[position++];
            if ((flags & ~definedFlags) != 0)
                throw new InvalidDataException($"Row {i + 1} of the staged chunk has flags {flags}, which format version {version} does not define.");
            var nulls = 0;
            if (version <= FieldsBesideRawTextVersion)
            {
                var transactionId = ReadBytes(payload, ref position, i, 0, ref nulls);
                var customerId = ReadBytes(payload, ref position, i, 1, ref nulls);
                var productId = ReadBytes(payload, ref position, i, 2, ref nulls);
                var saleDate = ReadBytes(payload, ref position, i, 3, ref nulls);
                var quantity = ReadBytes(payload, ref position, i, 4, ref nulls);
                var totalPrice = ReadBytes(payload, ref position, i, 5, ref nulls);
                var salesChannel = ReadBytes(payload, ref position, i, 6, ref nulls);
                var rawText = ReadBytes(payload, ref position, i, 7, ref nulls);
                if ((nulls & (1 << 7)) != 0)
                    throw new InvalidDataException($"Row {i + 1} of the staged chunk has no raw text.");
                record = new StagedRecord(sourceLine, (flags & MalformedFlag) != 0, (flags & FirstOccurrenceFlag) != 0, nulls,
                    transactionId, customerId, productId, saleDate, quantity, totalPrice, salesChannel, rawText);
            }
            else
            {
                var rawText = ReadBytes(payload, ref position, i, 7, ref nulls);
                if ((nulls & (1 << 7)) != 0)
                    throw new InvalidDataException($"Row {i + 1} of the staged chunk has no raw text.");
                var transactionId = ReadField(payload, rawText, ref position, i, 0, ref nulls);
                var customerId = ReadField(payload, rawText, ref position, i, 1, ref nulls);
                var productId = ReadField(payload, rawText, ref position, i, 2, ref nulls);
                var saleDate = ReadField(payload, rawText, ref position, i, 3, ref nulls);
                var quantity = ReadField(payload, rawText, ref position, i, 4, ref nulls);
                var totalPrice = ReadField(payload, rawText, ref position, i, 5, ref nulls);
                var salesChannel = ReadField(payload, rawText, ref position, i, 6, ref nulls);
                record = new StagedRecord(sourceLine, (flags & MalformedFlag) != 0, (flags & FirstOccurrenceFlag) != 0, nulls,
                    transactionId, customerId, productId, saleDate, quantity, totalPrice, salesChannel, rawText);
            }
            previousLine = sourceLine;
            read++;
            return true;
        }
    }

    static ReadOnlySpan<byte> ReadField(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> rawText, scoped ref int position, int row, int field, scoped ref int nulls)
    {
        var tag = ReadVarint(payload, ref position, row);
        if (tag == 0)
        {
            nulls |= 1 << field;
            return default;
        }
        if ((tag & 1) == 0)
        {
            var byteCount = (tag >> 1) - 1;
            if (byteCount > (ulong)(payload.Length - position))
                throw Truncated(payload.Length, $"a {byteCount}-byte field of row {row + 1}");
            var bytes = payload.Slice(position, (int)byteCount);
            position += (int)byteCount;
            return bytes;
        }
        var offset = tag >> 1;
        var length = ReadVarint(payload, ref position, row);
        if (offset > (ulong)rawText.Length || length > (ulong)rawText.Length - offset)
            throw new InvalidDataException($"Field {field + 1} of row {row + 1} of the staged chunk lies outside its raw text ({offset} + {length} > {rawText.Length} bytes).");
        return rawText.Slice((int)offset, (int)length);
    }

    static ReadOnlySpan<byte> ReadBytes(ReadOnlySpan<byte> payload, scoped ref int position, int row, int text, scoped ref int nulls)
    {
        var prefix = ReadVarint(payload, ref position, row);
        if (prefix == 0)
        {
            nulls |= 1 << text;
            return default;
        }
        var byteCount = prefix - 1;
        if (byteCount > (ulong)(payload.Length - position))
            throw Truncated(payload.Length, $"a {byteCount}-byte text of row {row + 1}");
        var bytes = payload.Slice(position, (int)byteCount);
        position += (int)byteCount;
        return bytes;
    }

    /// <summary>A text of a staged record as a string: null when it was null, an <see cref="InvalidDataException"/> when it is not UTF-8.</summary>
    internal static string? DecodeText(ReadOnlySpan<byte> bytes, bool isNull, int row)
    {
        if (isNull)
            return null;
        if (bytes.IsEmpty)
            return string.Empty;
        try
        {
            return Utf8.GetString(bytes);
        }
        catch (DecoderFallbackException exception)
        {
            throw new InvalidDataException($"Row {row + 1} of the staged chunk holds text that is not valid UTF-8.", exception);
        }
    }

    static int WriteVarint(Span<byte> destination, ulong value)
    {
        var length = 0;
        while (value >= 0x80)
        {
            destination[length++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[length++] = (byte)value;
        return length;
    }

    static ulong ReadVarint(ReadOnlySpan<byte> payload, ref int position, int row)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= payload.Length)
                throw Truncated(payload.Length, $"row {row + 1}");
            var next = payload[position++];
            value |= (ulong)(next & 0x7F) << shift;
            if (next < 0x80)
                return value;
        }
        throw new InvalidDataException($"Row {row + 1} of the staged chunk has a length or line number longer than 64 bits.");
    }

    static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    static InvalidDataException Truncated(int length, string what) =>
        new($"The staged chunk is truncated: its {length} bytes end inside {what}.");
}

/// <summary>
/// One record of a staged payload (<see cref="StagedChunkCodec.Reader.TryReadRecord"/>): its line, its flags, and its
/// eight texts as the payload's UTF-8 bytes, valid while the payload is. A null text reads as empty;
/// <see cref="IsNull"/> tells them apart.
/// </summary>
public readonly ref struct StagedRecord
{
    readonly int nulls;

    internal StagedRecord(long sourceLine, bool malformed, bool firstOccurrence, int nulls,
        ReadOnlySpan<byte> transactionId, ReadOnlySpan<byte> customerId, ReadOnlySpan<byte> productId, ReadOnlySpan<byte> saleDate,
        ReadOnlySpan<byte> quantity, ReadOnlySpan<byte> totalPrice, ReadOnlySpan<byte> salesChannel, ReadOnlySpan<byte> rawText)
    {
        SourceLine = sourceLine;
        Malformed = malformed;
        FirstOccurrence = firstOccurrence;
        this.nulls = nulls;
        TransactionId = transactionId;
        CustomerId = customerId;
        ProductId = productId;
        SaleDate = saleDate;
        Quantity = quantity;
        TotalPrice = totalPrice;
        SalesChannel = salesChannel;
        RawText = rawText;
    }

    public long SourceLine { get; }

    public bool Malformed { get; }

    public bool FirstOccurrence { get; }

    public ReadOnlySpan<byte> TransactionId { get; }

    public ReadOnlySpan<byte> CustomerId { get; }

    public ReadOnlySpan<byte> ProductId { get; }

    public ReadOnlySpan<byte> SaleDate { get; }

    public ReadOnlySpan<byte> Quantity { get; }

    public ReadOnlySpan<byte> TotalPrice { get; }

    public ReadOnlySpan<byte> SalesChannel { get; }

    public ReadOnlySpan<byte> RawText { get; }

    /// <summary>Whether text <paramref name="text"/> (0 to 7, in the payload's order) was null.</summary>
    public bool IsNull(int text) => (nulls & (1 << text)) != 0;

    /// <summary>The record with its texts decoded; <paramref name="row"/> (0-based) only makes the error message.</summary>
    public RawSale ToRawSale(int row = 0) => new(
        SourceLine: SourceLine,
        Malformed: Malformed,
        TransactionId: StagedChunkCodec.DecodeText(TransactionId, IsNull(0), row),
        CustomerId: StagedChunkCodec.DecodeText(CustomerId, IsNull(1), row),
        ProductId: StagedChunkCodec.DecodeText(ProductId, IsNull(2), row),
        SaleDate: StagedChunkCodec.DecodeText(SaleDate, IsNull(3), row),
        Quantity: StagedChunkCodec.DecodeText(Quantity, IsNull(4), row),
        TotalPrice: StagedChunkCodec.DecodeText(TotalPrice, IsNull(5), row),
        SalesChannel: StagedChunkCodec.DecodeText(SalesChannel, IsNull(6), row),
        RawText: StagedChunkCodec.DecodeText(RawText, false, row)!,
        FirstOccurrence: FirstOccurrence);
}

/// <summary>Takes one record of a staged chunk as it is read.</summary>
public delegate void StagedRecordHandler(in StagedRecord record);
