using System.Buffers;
using System.Buffers.Binary;

namespace SalesEtl.Pipeline.Metrics;

/// <summary>The segments of SPEC §3.3, by purchases.</summary>
public static class CustomerSegments
{
    public const string OneTime = "one_time";
    public const string Occasional = "occasional";
    public const string Frequent = "frequent";
    public const string ReturnsOnly = "returns_only";

    /// <summary>In the order the segment counts are kept.</summary>
    public static IReadOnlyList<string> All { get; } = [OneTime, Occasional, Frequent, ReturnsOnly];

    public static int IndexOf(long purchases) => purchases switch
    {
        0 => 3,
        1 => 0,
        <= 4 => 1,
        _ => 2,
    };
}

/// <summary>What <c>customer_frequency</c> keeps of one customer (SPEC §3.3), and the customer's channels as a mask.</summary>
public struct CustomerTotals
{
    public long Purchases;
    public long Returns;

    /// <summary>First and last purchase (rows with a positive quantity), microseconds since 2000-01-01 UTC; only when <see cref="Purchases"/> &gt; 0.</summary>
    public long FirstPurchaseMicros;
    public long LastPurchaseMicros;

    /// <summary>Net: the sum of every row's total price.</summary>
    public Int128 SpentCents;

    /// <summary>A bit per channel number of the run's <see cref="SalesChannelIndex"/>.</summary>
    public ulong Channels;

    const long SecondsPerDay = 86_400;

    /// <summary>
    /// The average days between purchases, (last − first) in days / (purchases − 1), rounded half up to millionths of a
    /// day; null below 2 purchases. Exact in integers: the microseconds between first and last over 86,400 ×
    /// (purchases − 1) is the value in millionths, rounded by (2n + d) / 2d (the gap is never negative).
    /// </summary>
    public readonly decimal? AverageDaysBetweenPurchases =>
        AverageMillionthsOfDayBetweenPurchases is { } millionths ? new decimal((int)(uint)(ulong)millionths, (int)(uint)((ulong)millionths >> 32), 0, false, 6) : null;

    /// <summary><see cref="AverageDaysBetweenPurchases"/> in millionths of a day.</summary>
    public readonly long? AverageMillionthsOfDayBetweenPurchases
    {
        get
        {
            if (Purchases < 2)
                return null;
            Int128 gap = LastPurchaseMicros - FirstPurchaseMicros;
            Int128 divisor = SecondsPerDay * (Purchases - 1);
            return (long)(((2 * gap) + divisor) / (2 * divisor));
        }
    }

    public readonly string Segment => CustomerSegments.All[CustomerSegments.IndexOf(Purchases)];

    /// <summary>Adds one row of the customer.</summary>
    public void Add(int channel, int quantity, long saleDateMicros, long cents)
    {
        if (quantity > 0)
        {
            if (Purchases == 0 || saleDateMicros < FirstPurchaseMicros)
                FirstPurchaseMicros = saleDateMicros;
            if (Purchases == 0 || saleDateMicros > LastPurchaseMicros)
                LastPurchaseMicros = saleDateMicros;
            Purchases++;
        }
        else if (quantity < 0)
        {
            Returns++;
        }
        SpentCents += cents;
        Channels |= 1UL << channel;
    }
}

/// <summary>
/// One customer's row of a fact as the customers' pass spills it (so that a run's customers are summed a part at a
/// time, in bounded memory): the id's length (7-bit groups), the id (UTF-8), the channel's number, the quantity's sign,
/// the sale date (microseconds) and the price (cents), little-endian.
/// </summary>
public static class CustomerFactRecord
{
    /// <summary>The most bytes a record of an id of <paramref name="idBytes"/> bytes takes.</summary>
    public static int MaxBytes(int idBytes) => 5 + idBytes + 1 + 1 + 8 + 8;

    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> customerId, int channel, int quantity, long saleDateMicros, long cents)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(MaxBytes(customerId.Length));
        var position = 0;
        var length = (uint)customerId.Length;
        while (length >= 0x80)
        {
            span[position++] = (byte)(length | 0x80);
            length >>= 7;
        }
        span[position++] = (byte)length;
        customerId.CopyTo(span[position..]);
        position += customerId.Length;
        span[position++] = (byte)channel;
        span[position++] = (byte)(sbyte)Math.Sign(quantity);
        BinaryPrimitives.WriteInt64LittleEndian(span[position..], saleDateMicros);
        BinaryPrimitives.WriteInt64LittleEndian(span[(position + 8)..], cents);
        output.Advance(position + 16);
    }

    /// <summary>
    /// Reads the record at the start of <paramref name="data"/>: false when <paramref name="data"/> holds only part of
    /// one (read more and try again); <paramref name="consumed"/> is its length.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> customerId, out int channel, out int quantitySign, out long saleDateMicros,
        out long cents, out int consumed)
    {
        customerId = default;
        channel = quantitySign = consumed = 0;
        saleDateMicros = cents = 0;
        var position = 0;
        var length = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (position == data.Length)
                return false;
            if (shift > 28)
                throw new InvalidDataException("A spilled customer record has a malformed length.");
            var b = data[position++];
            length |= (b & 0x7F) << shift;
            if (b < 0x80)
                break;
        }
        if (data.Length - position < length + 18)
            return false;
        customerId = data.Slice(position, length);
        position += length;
        channel = data[position++];
        quantitySign = (sbyte)data[position++];
        saleDateMicros = BinaryPrimitives.ReadInt64LittleEndian(data[position..]);
        cents = BinaryPrimitives.ReadInt64LittleEndian(data[(position + 8)..]);
        consumed = position + 16;
        return true;
    }
}
