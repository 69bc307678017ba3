using Npgsql;
using NpgsqlTypes;
using SalesEtl.Contracts;

namespace SalesEtl.Data.Streaming;

/// <summary>
/// Puts arriving sale events into the open window (table <c>stream_events</c>) in one transaction per
/// batch. An event whose id is already there (a redelivery, a re-sent event, an event of a closed
/// window) is dropped by the primary key, so accepting a batch twice changes nothing.
/// </summary>
public sealed class StreamEventBuffer(NpgsqlDataSource dataSource)
{
    /// <summary>Inserts the events in the given order (their arrival order); returns how many were new.</summary>
    public async Task<int> AddAsync(IReadOnlyList<SaleEventReceived> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
            return 0;
        await using var command = dataSource.CreateCommand("""
            INSERT INTO stream_events (event_id, arrived_at, source, sequence_no, emitted_at, malformed, transaction_id, customer_id,
                product_id, sale_date, quantity, total_price, sales_channel, raw_text)
            SELECT e.event_id, clock_timestamp(), e.source, e.sequence_no, e.emitted_at, e.malformed, e.transaction_id, e.customer_id,
                e.product_id, e.sale_date, e.quantity, e.total_price, e.sales_channel, e.raw_text
            FROM unnest(@ids, @sources, @seqs, @emitted, @malformed, @tx, @customers, @products, @dates, @quantities, @prices, @channels, @raw)
                WITH ORDINALITY AS e(event_id, source, sequence_no, emitted_at, malformed, transaction_id, customer_id, product_id, sale_date,
                    quantity, total_price, sales_channel, raw_text, ord)
            ORDER BY e.ord
            ON CONFLICT (event_id) DO NOTHING
            """);
        // The same event twice in one batch: keep its first delivery (ON CONFLICT cannot see rows of its own statement).
        var unique = events.DistinctBy(e => e.EventId).ToList();
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", unique.Select(e => e.EventId).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("sources", unique.Select(e => e.Source).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<long[]>("seqs", unique.Select(e => e.SequenceNo).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<DateTime[]>("emitted", unique.Select(e => e.EmittedAt.UtcDateTime).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<bool[]>("malformed", unique.Select(e => e.Malformed).ToArray()));
        AddText(command, "tx", unique.Select(e => e.TransactionId));
        AddText(command, "customers", unique.Select(e => e.CustomerId));
        AddText(command, "products", unique.Select(e => e.ProductId));
        AddText(command, "dates", unique.Select(e => e.SaleDate));
        AddText(command, "quantities", unique.Select(e => e.Quantity));
        AddText(command, "prices", unique.Select(e => e.TotalPrice));
        AddText(command, "channels", unique.Select(e => e.SalesChannel));
        AddText(command, "raw", unique.Select(e => Clean(e.RawText)));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    static void AddText(NpgsqlCommand command, string name, IEnumerable<string?> values) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.Select(v => (object?)Clean(v) ?? DBNull.Value).ToArray() });

    /// <summary>PostgreSQL text cannot hold U+0000: it becomes U+FFFD, as the file path does it.</summary>
    static string? Clean(string? value) => value is not null && value.Contains('\0', StringComparison.Ordinal) ? value.Replace('\0', '\uFFFD') : value;
}
