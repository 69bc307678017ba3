using System.Collections.Concurrent;

namespace SalesEtl.Pipeline.Sales;

/// <summary>
/// Filters kept from file to file (one per file read at once), each cleared before it is handed out again: a new
/// 16 MiB filter per file was garbage on the large object heap until a full collection, and the ingestor's resident
/// memory grew by about that much a run (docs/PERFORMANCE.md, round 6). Thread-safe.
/// </summary>
public sealed class FirstOccurrenceFilters
{
    readonly ConcurrentBag<FirstOccurrenceFilter> kept = [];

    /// <summary>A filter of <paramref name="bytes"/> that knows no id, or none when <paramref name="bytes"/> is 0.</summary>
    public FirstOccurrenceFilter? Rent(int bytes)
    {
        if (bytes == 0)
            return null;
        while (kept.TryTake(out var filter))
        {
            if (filter.Bytes == FirstOccurrenceFilter.SizeFor(bytes))
            {
                filter.Clear();
                return filter;
            }
        }
        return new FirstOccurrenceFilter(bytes);
    }

    /// <summary>Keeps <paramref name="filter"/> for the next file.</summary>
    public void Return(FirstOccurrenceFilter? filter)
    {
        if (filter is not null)
            kept.Add(filter);
    }
}
