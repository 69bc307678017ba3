using System.Globalization;
using System.Text;
using SalesEtl.Contracts;
using SalesEtl.Pipeline.Sales;
using SalesEtl.SampleData;

namespace SalesEtl.Streaming;

/// <summary>What a simulated stream holds and how it is disordered.</summary>
public sealed record SaleEventPlanOptions
{
    /// <summary>Distinct source events (CSV rows of the sample generator, same messiness as a file).</summary>
    public int Events { get; init; } = 10_000;

    public int Seed { get; init; } = 20261127;

    /// <summary>The sample data's as-of time: sale dates are around it.</summary>
    public DateTimeOffset AsOf { get; init; } = SalesDataGenerator.DefaultAsOf;

    /// <summary>Share of events that arrive late: sent between 1 and <see cref="MaxDelayEvents"/> events after their place.</summary>
    public double LateRate { get; init; } = 0.02;

    /// <summary>Share of events sent twice (same event id), the copy between 1 and <see cref="MaxDelayEvents"/> events later.</summary>
    public double DuplicateRate { get; init; } = 0.01;

    /// <summary>How far (in events) a late event or a duplicate may land from its place.</summary>
    public int MaxDelayEvents { get; init; } = 5_000;

    public string Source { get; init; } = "simulator";
}

/// <summary>One event to send; <see cref="Late"/> and <see cref="Duplicate"/> say how it was disordered.</summary>
public sealed record PlannedEvent(SaleEventReceived Event, bool Late, bool Duplicate);

/// <summary>
/// A deterministic, messy stream of sale events: the rows of <see cref="SalesDataGenerator"/> (every SPEC §1
/// case at the file's rates) in source order, then disordered: some events late (sent after events that
/// followed them), some sent twice with the same event id. Equal options give the same events in the same
/// order, so a test can rebuild what the simulator sent. Memory is bounded by the delay window, not the stream.
/// </summary>
public sealed class SaleEventPlan(SaleEventPlanOptions options)
{
    public SaleEventPlanOptions Options { get; } = options;

    /// <summary>The products JSON that belongs to the events (the catalog stand-in serves it).</summary>
    public string ProductsJson()
    {
        using var sales = TextWriter.Null;
        using var products = new StringWriter(CultureInfo.InvariantCulture);
        new SalesDataGenerator(SampleOptions).Write(sales, products);
        return products.ToString();
    }

    SampleDataOptions SampleOptions => new() { Rows = Math.Max(SalesDataGenerator.MinimumRows, Options.Events), Seed = Options.Seed, AsOf = Options.AsOf };

    /// <summary>The event id of a source sequence number in this plan.</summary>
    public Guid EventIdOf(long sequenceNo)
    {
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes[..8], unchecked((long)Options.Seed * -7046029254386353131L) ^ 0x5A1E5EL);
        BitConverter.TryWriteBytes(bytes[8..], sequenceNo);
        return new Guid(bytes);
    }

    /// <summary>The source events in source order, before any disorder (what a file of the stream would hold).</summary>
    public IEnumerable<SaleEventReceived> SourceEvents()
    {
        var directory = Path.Combine(Path.GetTempPath(), "sales-etl-stream", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var path = Path.Combine(directory, "sales.csv");
            using (var sales = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 16))
                new SalesDataGenerator(SampleOptions).Write(sales, TextWriter.Null);

            using var reader = new SalesCsvReader(new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false));
            var header = reader.ReadHeader().Header ?? throw new InvalidOperationException("The generated sample has no usable header.");
            long sequenceNo = 0;
            foreach (var row in reader.ReadRows(header))
            {
                if (++sequenceNo > Options.Events)
                    yield break;
                yield return new SaleEventReceived(EventIdOf(sequenceNo), Options.Source, sequenceNo, Options.AsOf, row.Malformed, row.RawText,
                    row.TransactionId, row.CustomerId, row.ProductId, row.SaleDate, row.Quantity, row.TotalPrice, row.SalesChannel);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The events in the order they are sent, late ones moved back, duplicates added.</summary>
    public IEnumerable<PlannedEvent> Emissions()
    {
        var random = new Random(Options.Seed ^ 0x3C6EF372);
        var delayed = new PriorityQueue<PlannedEvent, (long Due, long Order)>();
        long position = 0;
        long order = 0;
        foreach (var source in SourceEvents())
        {
            while (delayed.TryPeek(out _, out var due) && due.Due <= position)
            {
                position++;
                yield return delayed.Dequeue();
            }

            var late = random.NextDouble() < Options.LateRate;
            var duplicate = random.NextDouble() < Options.DuplicateRate;
            var lateBy = random.Next(1, Options.MaxDelayEvents + 1);
            var duplicateBy = random.Next(1, Options.MaxDelayEvents + 1);
            if (late)
                delayed.Enqueue(new PlannedEvent(source, Late: true, Duplicate: false), (position + lateBy, order++));
            else
            {
                position++;
                yield return new PlannedEvent(source, Late: false, Duplicate: false);
            }
            if (duplicate)
                delayed.Enqueue(new PlannedEvent(source, Late: false, Duplicate: true), (position + (late ? lateBy : 0) + duplicateBy, order++));
        }
        while (delayed.TryDequeue(out var rest, out _))
            yield return rest;
    }
}
