using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Pipeline.Metrics;

/// <summary>What <c>product_revenue</c> sums per product (SPEC §3.1), in cents.</summary>
public struct ProductTotals
{
    public long Transactions;
    public long UnitsSold;
    public Int128 GrossCents;
    public Int128 ReturnsCents;
    public Int128 NetCents;
}

/// <summary>
/// A run's facts by sales channel and month (UTC): the rows of <c>channel_monthly</c>, the channel totals of
/// <c>channel_performance</c> and the quality report's counts (accepted rows, flags, nulls).
/// </summary>
public sealed class ChannelMonthTotals(int channel, DateTime month)
{
    /// <summary>The channel's number in the run's <see cref="SalesChannelIndex"/>.</summary>
    public int Channel { get; } = channel;

    /// <summary>The first instant of the month, UTC.</summary>
    public DateTime Month { get; } = month;

    public long Transactions { get; set; }
    public long UnitsSold { get; set; }
    public Int128 NetCents { get; set; }
    public Int128 GrossCents { get; set; }

    /// <summary>Rows with a positive quantity (the denominator of the average order value).</summary>
    public long SaleRows { get; set; }

    /// <summary>Rows per flag, in the order of <see cref="SaleFlagNames.AllFlags"/>.</summary>
    public long[] FlagRows { get; } = new long[SaleFlagNames.AllFlags.Count];

    internal void Add(ChannelMonthTotals other)
    {
        Transactions += other.Transactions;
        UnitsSold += other.UnitsSold;
        NetCents += other.NetCents;
        GrossCents += other.GrossCents;
        SaleRows += other.SaleRows;
        for (var i = 0; i < FlagRows.Length; i++)
            FlagRows[i] += other.FlagRows[i];
    }
}

/// <summary>
/// The per-product and per-channel-and-month sums of a run's accepted facts (SPEC §3.1, §3.2, §4), added fact by fact;
/// the totals of several readers of one run merge into one. Exact: money in cents (<see cref="Int128"/>).
/// Not thread-safe: one per reader.
/// </summary>
public sealed class FactTotals(SalesChannelIndex channels)
{
    // PostgreSQL's timestamp epoch, 2000-01-01 00:00:00 UTC, in .NET ticks.
    const long PostgresEpochTicks = 630_822_816_000_000_000L;

    readonly Utf8KeyedTable<ProductTotals> products = new(4096);
    readonly Dictionary<long, ChannelMonthTotals> channelMonths = [];

    public SalesChannelIndex Channels { get; } = channels;

    public int ProductCount => products.Count;

    public IEnumerable<ChannelMonthTotals> ChannelMonths => channelMonths.Values;

    /// <summary>Adds one fact; returns its channel's number (the customers' channel masks use it).</summary>
    public int Add(in MetricFact fact)
    {
        ref var product = ref products.GetOrAdd(fact.ProductId, Utf8Hash.Of(fact.ProductId), out _);
        product.Transactions++;
        product.UnitsSold += fact.Quantity;
        product.NetCents += fact.TotalPriceCents;
        if (fact.Quantity > 0)
            product.GrossCents += fact.TotalPriceCents;
        else if (fact.Quantity < 0)
            product.ReturnsCents -= fact.TotalPriceCents;

        var channel = Channels.IndexOf(fact.Channel);
        var month = MonthNumber(fact.SaleDateMicros);
        var key = ((long)channel << 32) | (uint)month;
        if (!channelMonths.TryGetValue(key, out var totals))
            channelMonths.Add(key, totals = new ChannelMonthTotals(channel, new DateTime(month / 12, (month % 12) + 1, 1, 0, 0, 0, DateTimeKind.Utc)));
        totals.Transactions++;
        totals.UnitsSold += fact.Quantity;
        totals.NetCents += fact.TotalPriceCents;
        if (fact.Quantity > 0)
        {
            totals.GrossCents += fact.TotalPriceCents;
            totals.SaleRows++;
        }
        if (fact.Flags != 0)
        {
            var flags = SaleFlagNames.AllFlags;
            for (var i = 0; i < flags.Count; i++)
            {
                if ((fact.Flags & (int)flags[i]) != 0)
                    totals.FlagRows[i]++;
            }
        }
        return channel;
    }

    /// <summary>Adds what another reader of the same run summed (same <see cref="SalesChannelIndex"/>).</summary>
    public void Merge(FactTotals other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!ReferenceEquals(other.Channels, Channels))
            throw new ArgumentException("Totals merge only with totals of the same channel index.", nameof(other));
        for (var i = 0; i < other.products.Count; i++)
        {
            var key = other.products.KeyAt(i);
            ref var product = ref products.GetOrAdd(key, Utf8Hash.Of(key), out _);
            ref var theirs = ref other.products.ValueAt(i);
            product.Transactions += theirs.Transactions;
            product.UnitsSold += theirs.UnitsSold;
            product.GrossCents += theirs.GrossCents;
            product.ReturnsCents += theirs.ReturnsCents;
            product.NetCents += theirs.NetCents;
        }
        foreach (var (key, theirs) in other.channelMonths)
        {
            if (!channelMonths.TryGetValue(key, out var totals))
                channelMonths.Add(key, totals = new ChannelMonthTotals(theirs.Channel, theirs.Month));
            totals.Add(theirs);
        }
    }

    public ReadOnlySpan<byte> ProductIdAt(int index) => products.KeyAt(index);

    public ref ProductTotals ProductAt(int index) => ref products.ValueAt(index);

    const long MicrosPerDay = 86_400_000_000;

    // The month (year × 12 + month − 1) of each day from 1900 to 2199, by days since 2000-01-01: a sale date's month by
    // one division and one look-up instead of a calendar computation per fact.
    static readonly DateTime FirstTabledDay = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    static readonly long FirstTabledDayNumber = (FirstTabledDay.Ticks - PostgresEpochTicks) / (MicrosPerDay * 10);
    static readonly int[] MonthOfDay = Enumerable.Range(0, (int)((new DateTime(2200, 1, 1, 0, 0, 0, DateTimeKind.Utc) - FirstTabledDay).TotalDays))
        .Select(day => FirstTabledDay.AddDays(day) is var date ? (date.Year * 12) + date.Month - 1 : 0)
        .ToArray();

    /// <summary>The month of a time given in microseconds since 2000-01-01 UTC, as year × 12 + month − 1.</summary>
    public static int MonthNumber(long micros)
    {
        var index = Math.DivRem(micros, MicrosPerDay) is var (day, rest) && rest < 0 ? day - 1 - FirstTabledDayNumber : day - FirstTabledDayNumber;
        if ((ulong)index < (ulong)MonthOfDay.Length)
            return MonthOfDay[index];
        var month = MonthOf(micros);
        return (month.Year * 12) + month.Month - 1;
    }

    /// <summary>The first instant (UTC) of the month of a time given in microseconds since 2000-01-01 UTC.</summary>
    public static DateTime MonthOf(long micros)
    {
        var time = ToDateTime(micros);
        return new DateTime(time.Year, time.Month, 1, 0, 0, 0, DateTimeKind.Utc);
    }

    /// <summary>A time given in microseconds since 2000-01-01 UTC, as a UTC <see cref="DateTime"/>.</summary>
    public static DateTime ToDateTime(long micros)
    {
        const long MinMicros = -PostgresEpochTicks / 10;
        const long MaxMicros = (3_155_378_975_999_999_999L - PostgresEpochTicks) / 10;
        if (micros is < MinMicros or > MaxMicros)
            throw new ArgumentOutOfRangeException(nameof(micros), micros, "A sale date outside the years 1–9999 has no month here.");
        return new DateTime(PostgresEpochTicks + (micros * 10), DateTimeKind.Utc);
    }
}
