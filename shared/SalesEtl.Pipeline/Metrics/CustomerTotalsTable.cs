using System.Numerics;

namespace SalesEtl.Pipeline.Metrics;

/// <summary>
/// Sums the spilled rows (<see cref="CustomerFactRecord"/>) of one part of a run's customers, and counts, part after
/// part, the customers per segment and per channel (<c>customer_segments</c>, and the distinct customers of
/// <c>channel_performance</c>). A part holds every row of its customers, so each customer is summed whole. Reused part
/// after part: its memory is that of the largest part, not of the run. Not thread-safe.
/// </summary>
public sealed class CustomerTotalsTable
{
    // A part of 262,144 facts (the metrics-loader's default) has at most that many customers, usually a fifth.
    readonly Utf8KeyedTable<CustomerTotals> customers = new(1 << 16);
    readonly long[] segmentCustomers = new long[CustomerSegments.All.Count];
    readonly long[] channelCustomers = new long[SalesChannelIndex.MaxChannels];

    /// <summary>The customers of the current part.</summary>
    public int Count => customers.Count;

    /// <summary>Customers counted so far per segment, in the order of <see cref="CustomerSegments.All"/>.</summary>
    public IReadOnlyList<long> SegmentCustomers => segmentCustomers;

    /// <summary>Customers counted so far per channel number.</summary>
    public IReadOnlyList<long> ChannelCustomers => channelCustomers;

    /// <summary>Empties the table and its counts, for the next run (its arrays stay: a table per run would leave tens of megabytes of garbage a run).</summary>
    public void Reset()
    {
        customers.Clear();
        Array.Clear(segmentCustomers);
        Array.Clear(channelCustomers);
    }

    /// <summary>Adds every whole record at the start of <paramref name="data"/>; returns the bytes they took (a partial record stays).</summary>
    public int AddRecords(ReadOnlySpan<byte> data)
    {
        var used = 0;
        while (CustomerFactRecord.TryRead(data[used..], out var id, out var channel, out var sign, out var micros, out var cents, out var consumed))
        {
            customers.GetOrAdd(id, Utf8Hash.Of(id), out _).Add(channel, sign, micros, cents);
            used += consumed;
        }
        return used;
    }

    public ReadOnlySpan<byte> CustomerIdAt(int index) => customers.KeyAt(index);

    public ref CustomerTotals TotalsAt(int index) => ref customers.ValueAt(index);

    /// <summary>Counts the current part's customers per segment and channel, and empties the table for the next part.</summary>
    public void CountAndClear()
    {
        for (var i = 0; i < customers.Count; i++)
        {
            ref var totals = ref customers.ValueAt(i);
            segmentCustomers[CustomerSegments.IndexOf(totals.Purchases)]++;
            for (var channels = totals.Channels; channels != 0; channels &= channels - 1)
                channelCustomers[BitOperations.TrailingZeroCount(channels)]++;
        }
        customers.Clear();
    }
}
