using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Text.Unicode;

namespace SalesEtl.Data.Facts;

/// <summary>
/// PostgreSQL's binary COPY format (docs: "COPY", File Formats, Binary Format), written straight into a buffer for
/// <c>NpgsqlConnection.BeginRawBinaryCopyAsync</c>: a header, per row an int16 field count and per field an int32
/// length (-1 for null) and the value in the type's binary send form, big-endian, then an int16 -1 trailer.
/// Pure and without allocations per field. Each value is written as Npgsql 10 writes it for the same .NET value, byte
/// for byte (pinned by the integration tests), so the server receives what its own importer sent before.
/// </summary>
public static class PgBinaryCopy
{
    /// <summary>Signature (<c>PGCOPY\n\377\r\n\0</c>), flags 0, header extension length 0.</summary>
    public static ReadOnlySpan<byte> Header => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>The int16 -1 that ends the data.</summary>
    public static ReadOnlySpan<byte> Trailer => [0xFF, 0xFF];

    public const int UuidBytes = 4 + 16;
    public const int Int32Bytes = 4 + 4;
    public const int Int64Bytes = 4 + 8;
    public const int TimestampBytes = 4 + 8;

    /// <summary>The largest numeric a decimal makes: 96 bits (29 decimal digits) and a scale up to 28 are at most 9 base-10000 digits.</summary>
    public const int MaxNumericBytes = 4 + 8 + MaxNumericDigits * 2;

    /// <summary>A text field's bound: its length and at most 3 UTF-8 bytes per UTF-16 char (a surrogate pair is 4 for 2).</summary>
    public static int MaxTextBytes(string? text) => 4 + (text?.Length ?? 0) * 3;

    /// <summary>The most bytes a text field of <paramref name="chars"/> UTF-16 chars takes, its length included.</summary>
    public static int MaxTextBytes(int chars) => 4 + chars * 3;

    public static void WriteHeader(IBufferWriter<byte> output) => Append(output, Header);

    public static void WriteTrailer(IBufferWriter<byte> output) => Append(output, Trailer);

    const int MaxNumericDigits = 9;
    const ushort NumericPositive = 0x0000;
    const ushort NumericNegative = 0x4000;
    const int NumericBase = 10_000;

    // PostgreSQL's timestamp epoch, 2000-01-01 00:00:00 UTC, in .NET ticks.
    const long PostgresEpochTicks = 630_822_816_000_000_000L;

    static ReadOnlySpan<uint> Powers10 => [1, 10, 100, 1000];

    static void Append(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(output);
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    /// <summary>
    /// A numeric field's value in hundredths (cents), as PostgreSQL sends a numeric: int16 digit count, int16 weight,
    /// int16 sign, int16 display scale, then base-10000 digits. A value with more than two decimals, NaN, an infinity or
    /// one beyond a long of hundredths throws: numeric(18,2) has none of them.
    /// </summary>
    public static long NumericCents(ReadOnlySpan<byte> value)
    {
        ReadOnlySpan<long> centsPerDigit = [100, 1_000_000, 10_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000_000];
        if (value.Length < 8)
            throw new InvalidDataException("A binary numeric is shorter than its header.");
        var count = BinaryPrimitives.ReadInt16BigEndian(value);
        var weight = BinaryPrimitives.ReadInt16BigEndian(value[2..]);
        var sign = BinaryPrimitives.ReadUInt16BigEndian(value[4..]);
        if (sign is not (NumericPositive or NumericNegative))
            throw new InvalidDataException("A numeric that is NaN or infinite has no value in cents.");
        if (value.Length != 8 + (count * 2))
            throw new InvalidDataException("A binary numeric's length does not match its digit count.");
        // Digit i is worth 10000^(weight - i); one base-10000 digit below the point holds the two decimals (as 100 × cents).
        // Up to 10^16 (weight 3) the cents fit a long as they are summed; a larger weight takes the Int128 path.
        if (weight <= 3)
        {
            long sum = 0;
            for (var i = 0; i < count; i++)
            {
                var exponent = weight - i;
                long digit = BinaryPrimitives.ReadInt16BigEndian(value[(8 + (i * 2))..]);
                if (exponent >= 0)
                {
                    sum += digit * centsPerDigit[exponent];
                }
                else if (exponent == -1 && digit % 100 == 0)
                {
                    sum += digit / 100;
                }
                else
                {
                    throw new InvalidDataException("A numeric with more than two decimals has no exact value in cents.");
                }
            }
            return sign == NumericNegative ? -sum : sum;
        }
        Int128 tenThousandths = 0;
        for (var i = 0; i < count; i++)
        {
            var exponent = weight - i;
            if (exponent < -1)
                throw new InvalidDataException("A numeric with more than four decimals has no exact value in cents.");
            Int128 digit = BinaryPrimitives.ReadInt16BigEndian(value[(8 + (i * 2))..]);
            for (var e = exponent + 1; e > 0; e--)
                digit *= NumericBase;
            tenThousandths += digit;
        }
        var (cents, rest) = Int128.DivRem(tenThousandths, 100);
        if (rest != 0)
            throw new InvalidDataException("A numeric with more than two decimals has no exact value in cents.");
        if (cents > long.MaxValue)
            throw new InvalidDataException("A numeric beyond a long of cents.");
        return (long)(sign == NumericNegative ? -cents : cents);
    }

    /// <summary>
    /// One row written into a span that its caller sized with the bounds above (one <c>GetSpan</c> and one
    /// <c>Advance</c> per row rather than per field); <see cref="Length"/> is what to advance by.
    /// </summary>
    public ref struct Row
    {
        readonly Span<byte> span;
        int position;

        public Row(Span<byte> span, short fieldCount)
        {
            this.span = span;
            BinaryPrimitives.WriteInt16BigEndian(span, fieldCount);
            position = 2;
        }

        public readonly int Length => position;

        public void Null()
        {
            BinaryPrimitives.WriteInt32BigEndian(span[position..], -1);
            position += 4;
        }

        public void Int32(int value)
        {
            BinaryPrimitives.WriteInt32BigEndian(span[position..], 4);
            BinaryPrimitives.WriteInt32BigEndian(span[(position + 4)..], value);
            position += Int32Bytes;
        }

        public void Int64(long value)
        {
            BinaryPrimitives.WriteInt32BigEndian(span[position..], 8);
            BinaryPrimitives.WriteInt64BigEndian(span[(position + 4)..], value);
            position += Int64Bytes;
        }

        /// <summary>uuid: the 16 bytes in the order of its text form (RFC 9562), not .NET's mixed-endian layout.</summary>
        public void Uuid(Guid value)
        {
            BinaryPrimitives.WriteInt32BigEndian(span[position..], 16);
            value.TryWriteBytes(span.Slice(position + 4, 16), bigEndian: true, out _);
            position += UuidBytes;
        }

        /// <summary>
        /// text as UTF-8. A lone surrogate has no UTF-8 form: it fails here, naming the field, rather than being
        /// replaced (Npgsql's importer threw too). <paramref name="field"/> and <paramref name="line"/> only make the message.
        /// </summary>
        public void Text(string value, string field, long line) => Text(value.AsSpan(), field, line);

        /// <summary>text as UTF-8, from UTF-16 as <see cref="Text(string, string, long)"/>.</summary>
        public void Text(ReadOnlySpan<char> value, string field, long line)
        {
            var status = Utf8.FromUtf16(value, span[(position + 4)..], out _, out var written, replaceInvalidSequences: false);
            if (status != OperationStatus.Done)
                throw NotUtf16(status, field, line);
            BinaryPrimitives.WriteInt32BigEndian(span[position..], written);
            position += 4 + written;
        }

        /// <summary>text that is UTF-8 already (checked by the caller), copied as it is.</summary>
        public void Utf8Text(ReadOnlySpan<byte> value)
        {
            BinaryPrimitives.WriteInt32BigEndian(span[position..], value.Length);
            value.CopyTo(span[(position + 4)..]);
            position += 4 + value.Length;
        }

        /// <summary>
        /// timestamptz: microseconds since 2000-01-01 UTC, the ticks below a microsecond dropped towards 2000 (integer
        /// division, as Npgsql does); <see cref="DateTime.MinValue"/> and <see cref="DateTime.MaxValue"/> are
        /// -infinity and infinity. Like Npgsql, only a UTC <see cref="DateTime"/> is taken for a timestamptz.
        /// </summary>
        public void TimestampTz(DateTime value, string field, long line)
        {
            long microseconds;
            if (value.Ticks == DateTime.MaxValue.Ticks)
                microseconds = long.MaxValue;
            else if (value.Ticks == DateTime.MinValue.Ticks)
                microseconds = long.MinValue;
            else if (value.Kind != DateTimeKind.Utc)
                throw new ArgumentException($"The {field} of line {line} is a DateTime of kind {value.Kind}; a timestamptz takes UTC only.", nameof(value));
            else
                microseconds = (value.Ticks - PostgresEpochTicks) / 10;
            BinaryPrimitives.WriteInt32BigEndian(span[position..], 8);
            BinaryPrimitives.WriteInt64BigEndian(span[(position + 4)..], microseconds);
            position += TimestampBytes;
        }

        /// <summary>
        /// numeric as PostgreSQL's NumericVar: int16 digit count, int16 weight (of the first base-10000 digit), int16
        /// sign, int16 display scale (the decimal's own scale, as Npgsql sends it; the column's typmod rounds), then
        /// the base-10000 digits without leading or trailing zero digits. Zero has no digits and weight
        /// −(scale / 4) − 1, as Npgsql writes it. A value out of the column's range is refused by the server.
        /// </summary>
        public void Numeric(decimal value)
        {
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(value, bits);
            var scale = value.Scale;
            Span<short> digits = stackalloc short[MaxNumericDigits];
            int count;
            short weight;
            if (bits[2] == 0)
                (count, weight) = Base10000(((ulong)(uint)bits[1] << 32) | (uint)bits[0], scale, digits);
            else
                (count, weight) = Base10000(((UInt128)(uint)bits[2] << 64) | ((ulong)(uint)bits[1] << 32) | (uint)bits[0], scale, digits);

            var field = span[position..];
            BinaryPrimitives.WriteInt32BigEndian(field, 8 + count * 2);
            BinaryPrimitives.WriteInt16BigEndian(field[4..], (short)count);
            BinaryPrimitives.WriteInt16BigEndian(field[6..], weight);
            // A negative zero (-0.00m) goes out positive, as from Npgsql's value < 0 test.
            var negative = bits[3] < 0 && count > 0;
            BinaryPrimitives.WriteUInt16BigEndian(field[8..], negative ? NumericNegative : NumericPositive);
            BinaryPrimitives.WriteInt16BigEndian(field[10..], scale);
            for (var i = 0; i < count; i++)
                BinaryPrimitives.WriteInt16BigEndian(field[(12 + i * 2)..], digits[MaxNumericDigits - count + i]);
            position += 12 + count * 2;
        }

        /// <summary>
        /// numeric of <paramref name="mantissa"/> × 10^−<paramref name="scale"/> (scale 0–8): the bytes
        /// <see cref="Numeric(decimal)"/> writes for the decimal of that mantissa and scale, without going through a
        /// decimal (the customers' money and average gaps, millions a run).
        /// </summary>
        public void Numeric(long mantissa, int scale)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)scale, 8u, nameof(scale));
            var negative = mantissa < 0;
            var magnitude = negative ? (ulong)(-(mantissa + 1)) + 1 : (ulong)mantissa;
            Span<short> digits = stackalloc short[MaxNumericDigits + 2];
            // Fraction groups of 4 decimals below the point, then the integer part's groups, least significant first.
            var fractionGroups = (scale + 3) / 4;
            var divisor = Pow10(scale);
            var fraction = (magnitude % divisor) * Pow10((fractionGroups * 4) - scale);
            var integer = magnitude / divisor;
            var count = 0;
            for (var i = 0; i < fractionGroups; i++)
            {
                digits[count++] = (short)(fraction % NumericBase);
                fraction /= NumericBase;
            }
            while (integer != 0)
            {
                digits[count++] = (short)(integer % NumericBase);
                integer /= NumericBase;
            }
            // digits[0..count) least significant first; drop zero groups at both ends.
            var low = 0;
            while (low < count && digits[low] == 0)
                low++;
            var high = count;
            while (high > low && digits[high - 1] == 0)
                high--;
            var used = high - low;
            short weight = used == 0 ? (short)(-(scale / 4) - 1) : (short)(high - fractionGroups - 1);
            var field = span[position..];
            BinaryPrimitives.WriteInt32BigEndian(field, 8 + (used * 2));
            BinaryPrimitives.WriteInt16BigEndian(field[4..], (short)used);
            BinaryPrimitives.WriteInt16BigEndian(field[6..], weight);
            BinaryPrimitives.WriteUInt16BigEndian(field[8..], negative && used > 0 ? NumericNegative : NumericPositive);
            BinaryPrimitives.WriteInt16BigEndian(field[10..], (short)scale);
            for (var i = 0; i < used; i++)
                BinaryPrimitives.WriteInt16BigEndian(field[(12 + (i * 2))..], digits[high - 1 - i]);
            position += 12 + (used * 2);
        }

        static ulong Pow10(int exponent)
        {
            var value = 1UL;
            for (var i = 0; i < exponent; i++)
                value *= 10;
            return value;
        }

        // The mantissa's base-10000 digits, most significant first at the end of digits, aligned so that the scale
        // falls on a digit boundary; trailing zero digits are left out and counted in the weight instead.
        static (int Count, short Weight) Base10000<T>(T mantissa, int scale, Span<short> digits)
            where T : IBinaryInteger<T>, IUnsignedNumber<T>
        {
            var count = 0;
            var weight = -(scale / 4) - 1;
            var partial = scale % 4;
            if (partial != 0 && mantissa != T.Zero)
            {
                (mantissa, var remainder) = T.DivRem(mantissa, T.CreateTruncating(Powers10[partial]));
                if (remainder != T.Zero)
                {
                    digits[MaxNumericDigits - ++count] = (short)(uint.CreateTruncating(remainder) * Powers10[4 - partial]);
                    weight--;
                }
            }
            var numericBase = T.CreateTruncating(NumericBase);
            while (mantissa != T.Zero)
            {
                (mantissa, var remainder) = T.DivRem(mantissa, numericBase);
                if (count == 0 && remainder == T.Zero)
                    weight++;
                else
                    digits[MaxNumericDigits - ++count] = short.CreateTruncating(remainder);
            }
            return (count, (short)(weight + count));
        }

        static ArgumentException NotUtf16(OperationStatus status, string field, long line) => status switch
        {
            OperationStatus.InvalidData => new ArgumentException(
                $"The {field} of line {line} is not valid UTF-16: it holds a lone surrogate, which has no UTF-8 form for a PostgreSQL text."),
            _ => new ArgumentException($"The {field} of line {line} did not fit the space reserved for it ({status})."),
        };
    }
}
