using System.Text;
using Npgsql;
using SalesEtl.Data.Facts;
using SalesEtl.MetricsLoader.Sql;
using SalesEtl.Pipeline.Buffers;
using SalesEtl.Pipeline.Metrics;

namespace SalesEtl.MetricsLoader.Aggregation;

/// <summary>
/// Sums the spilled customers part after part and writes each part's customers into <c>customer_frequency</c> by one
/// binary COPY, while counting them per segment and per channel. Several writers may each take their share of the
/// parts at once (<see cref="CustomerSpill.ReadPart"/> of different parts is safe side by side).
/// </summary>
static class CustomerFrequencyCopy
{
    const int FlushBytes = 1 << 20;

    static readonly byte[][] SegmentNames = [.. CustomerSegments.All.Select(Encoding.UTF8.GetBytes)];

    /// <summary>
    /// Writes the customers of every <paramref name="step"/>-th part from <paramref name="first"/>, summed in
    /// <paramref name="table"/>, which is left with their counts per segment and per channel number.
    /// </summary>
    public static async Task WriteAsync(
        NpgsqlConnection connection, Guid runId, CustomerSpill customers, int first, int step, CustomerTotalsTable table, CancellationToken cancellationToken)
    {
        table.Reset();
        await using var copy = await connection.BeginRawBinaryCopyAsync(MetricSql.CustomerFrequencyCopy, cancellationToken);
        using var rows = new PooledBufferWriter(FlushBytes + (FlushBytes / 4));
        try
        {
            PgBinaryCopy.WriteHeader(rows);
            for (var part = first; part < customers.Partitions; part += step)
            {
                customers.ReadPart(part, table);
                for (var i = 0; i < table.Count; i++)
                {
                    Append(rows, runId, table.CustomerIdAt(i), in table.TotalsAt(i));
                    if (rows.WrittenCount >= FlushBytes)
                    {
                        await copy.WriteAsync(rows.WrittenMemory, cancellationToken);
                        rows.Clear();
                    }
                }
                table.CountAndClear();
            }
            PgBinaryCopy.WriteTrailer(rows);
            await copy.WriteAsync(rows.WrittenMemory, cancellationToken);
        }
        catch (Exception)
        {
            await copy.CancelQuietlyAsync();
            throw;
        }
    }

    static void Append(PooledBufferWriter rows, Guid runId, ReadOnlySpan<byte> customerId, in CustomerTotals totals)
    {
        var span = rows.GetSpan(2 + PgBinaryCopy.UuidBytes + 4 + customerId.Length + (2 * PgBinaryCopy.Int64Bytes) + (2 * PgBinaryCopy.TimestampBytes)
            + (2 * PgBinaryCopy.MaxNumericBytes) + 4 + 16);
        var row = new PgBinaryCopy.Row(span, 9);
        row.Uuid(runId);
        row.Utf8Text(customerId);
        row.Int64(totals.Purchases);
        row.Int64(totals.Returns);
        if (totals.Purchases > 0)
        {
            // A timestamptz is an int64 of microseconds since 2000-01-01 UTC, the same bytes as an int8.
            row.Int64(totals.FirstPurchaseMicros);
            row.Int64(totals.LastPurchaseMicros);
        }
        else
        {
            row.Null();
            row.Null();
        }
        if (totals.SpentCents >= long.MinValue && totals.SpentCents <= long.MaxValue)
            row.Numeric((long)totals.SpentCents, 2);
        else
            row.Numeric(Cents.ToDecimal(totals.SpentCents));
        if (totals.AverageMillionthsOfDayBetweenPurchases is { } millionths)
            row.Numeric(millionths, 6);
        else
            row.Null();
        row.Utf8Text(SegmentNames[CustomerSegments.IndexOf(totals.Purchases)]);
        rows.Advance(row.Length);
    }
}
