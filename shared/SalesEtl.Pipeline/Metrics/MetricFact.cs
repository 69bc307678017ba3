namespace SalesEtl.Pipeline.Metrics;

/// <summary>
/// One accepted fact as the metrics of SPEC §3 read it: its texts as UTF-8, its sale date as microseconds since
/// 2000-01-01 UTC (PostgreSQL's epoch), its price in cents. Valid during the call it is passed to.
/// </summary>
public readonly ref struct MetricFact
{
    public required ReadOnlySpan<byte> ProductId { get; init; }

    public required ReadOnlySpan<byte> Channel { get; init; }

    /// <summary>Empty for an anonymous sale, as for a customer id that is empty: see <see cref="HasCustomer"/>.</summary>
    public ReadOnlySpan<byte> CustomerId { get; init; }

    public bool HasCustomer { get; init; }

    public required long SaleDateMicros { get; init; }

    public required int Quantity { get; init; }

    public required long TotalPriceCents { get; init; }

    public required int Flags { get; init; }
}

/// <summary>Money as exact cents, and back to the numeric(18,2) values the metric tables hold.</summary>
public static class Cents
{
    /// <summary>A sum of cents as a decimal of scale 2 (what PostgreSQL's sum of numeric(18,2) gives).</summary>
    public static decimal ToDecimal(Int128 cents)
    {
        var negative = cents < 0;
        var magnitude = (UInt128)(negative ? -cents : cents);
        if (magnitude >> 96 != 0)
            throw new OverflowException($"A sum of {cents} cents is beyond a decimal's 96 bits.");
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), (int)(uint)(magnitude >> 64), negative, 2);
    }
}
