using System.Buffers;
using System.Text;
using CsCheck;
using SalesEtl.Pipeline.Metrics;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Pipeline.Tests.Metrics;

/// <summary>
/// The metrics-loader sums a run's facts in memory and spills its customers in parts (FactTotals, Utf8KeyedTable,
/// CustomerFactRecord, CustomerTotalsTable). Each piece against a plain model computed here with LINQ and decimals.
/// </summary>
public sealed class Summing_facts_for_metrics
{
    static readonly Gen<string> Keys = Gen.OneOf(Gen.String["abcC0123456789"], Gen.Const(""), Gen.Const("é中😀"), Gen.Int[0, 300].Select(n => new string('x', n)));

    [Fact]
    public void Should_find_every_key_it_was_given_as_a_dictionary_does_across_growth_and_clearing()
    {
        Keys.Array[0, 3000].Sample(keys =>
        {
            var table = new Utf8KeyedTable<long>(16);
            for (var round = 0; round < 2; round++)
            {
                var model = new Dictionary<string, long>(StringComparer.Ordinal);
                foreach (var key in keys)
                {
                    var bytes = Encoding.UTF8.GetBytes(key);
                    table.GetOrAdd(bytes, Utf8Hash.Of(bytes), out var added)++;
                    Assert.Equal(!model.ContainsKey(key), added);
                    model[key] = model.GetValueOrDefault(key) + 1;
                }
                Assert.Equal(model.Count, table.Count);
                for (var i = 0; i < table.Count; i++)
                    Assert.Equal(model[Encoding.UTF8.GetString(table.KeyAt(i))], table.ValueAt(i));
                table.Clear();
                Assert.Equal(0, table.Count);
            }
        }, iter: 50);
    }

    [Fact]
    public void Should_read_back_every_spilled_customer_record_also_when_handed_in_pieces()
    {
        var records = Gen.Select(Keys, Gen.Int[0, 63], Gen.Int[-5, 5], Gen.Long, Gen.Long).Array[1, 200];
        records.Sample(rows =>
        {
            var output = new ArrayBufferWriter<byte>();
            foreach (var (id, channel, quantity, micros, cents) in rows)
                CustomerFactRecord.Write(output, Encoding.UTF8.GetBytes(id), channel, quantity, micros, cents);
            var data = output.WrittenSpan;

            // Cut anywhere: a record read from a prefix is whole, a partial one waits for more.
            var read = new List<(string, int, int, long, long)>();
            var position = 0;
            var step = 1 + (rows.Length % 7);
            var available = Math.Min(step, data.Length);
            while (position < data.Length)
            {
                if (CustomerFactRecord.TryRead(data[position..available], out var id, out var channel, out var sign, out var micros, out var cents, out var consumed))
                {
                    read.Add((Encoding.UTF8.GetString(id), channel, sign, micros, cents));
                    position += consumed;
                }
                else
                {
                    Assert.True(available < data.Length, "a whole record must be readable");
                    available = Math.Min(available + step, data.Length);
                }
            }
            Assert.Equal(rows.Select(r => (r.Item1, r.Item2, Math.Sign(r.Item3), r.Item4, r.Item5)), read);
        }, iter: 200);
    }

    [Theory]
    [InlineData(0, 0, null, "returns_only")]
    [InlineData(1, 0, null, "one_time")]
    [InlineData(2, 86_400_000_000L, "1.000000", "occasional")]
    [InlineData(4, 86_400_000_000L, "0.333333", "occasional")]
    [InlineData(3, 86_400_000_000L, "0.500000", "occasional")]
    [InlineData(5, 1L, "0.000000", "frequent")]
    // 0.0000005 days (43.2 ms) rounds half up to 0.000001.
    [InlineData(2, 43_200L, "0.000001", "occasional")]
    [InlineData(2, 43_199L, "0.000000", "occasional")]
    public void Should_give_the_average_gap_in_days_rounded_half_up_to_millionths_and_the_segment(long purchases, long gapMicros, string? days, string segment)
    {
        var totals = new CustomerTotals();
        for (var i = 0; i < purchases; i++)
            totals.Add(0, 1, i == 0 ? 1_000 : 1_000 + gapMicros, 100);

        Assert.Equal(days, totals.AverageDaysBetweenPurchases?.ToString("0.000000", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(segment, totals.Segment);
    }

    [Fact]
    public void Should_average_gaps_as_exact_decimal_division_rounded_half_away_from_zero_does()
    {
        Gen.Select(Gen.Long[2, 1_000], Gen.Long[0, 100L * 365 * 86_400_000_000]).Sample((purchases, gap) =>
        {
            var totals = new CustomerTotals { Purchases = purchases, FirstPurchaseMicros = 0, LastPurchaseMicros = gap };
            var expected = Math.Round(gap / 86_400_000_000m / (purchases - 1), 6, MidpointRounding.AwayFromZero);
            Assert.Equal(expected, totals.AverageDaysBetweenPurchases);
        }, iter: 2000);
    }

    [Fact]
    public void Should_sum_a_customers_rows_whatever_part_they_came_in_and_count_segments_and_channels()
    {
        var rows = Gen.Select(Gen.Int[0, 30], Gen.Int[0, 3], Gen.Int[-3, 3], Gen.Long[0, 10_000_000_000], Gen.Long[-100_000, 100_000]).Array[0, 400];
        rows.Sample(facts =>
        {
            var output = new ArrayBufferWriter<byte>();
            foreach (var (customer, channel, quantity, micros, cents) in facts)
                CustomerFactRecord.Write(output, Encoding.UTF8.GetBytes($"C{customer}"), channel, quantity, micros, cents);
            var table = new CustomerTotalsTable();
            Assert.Equal(output.WrittenCount, table.AddRecords(output.WrittenSpan));

            var model = facts.GroupBy(f => $"C{f.Item1}").ToDictionary(g => g.Key, g => g.ToList());
            Assert.Equal(model.Count, table.Count);
            for (var i = 0; i < table.Count; i++)
            {
                var rowsOf = model[Encoding.UTF8.GetString(table.CustomerIdAt(i))];
                var totals = table.TotalsAt(i);
                var purchases = rowsOf.Where(r => r.Item3 > 0).ToList();
                Assert.Equal(purchases.Count, totals.Purchases);
                Assert.Equal(rowsOf.Count(r => r.Item3 < 0), totals.Returns);
                Assert.Equal((Int128)rowsOf.Sum(r => r.Item5), totals.SpentCents);
                if (purchases.Count > 0)
                {
                    Assert.Equal(purchases.Min(r => r.Item4), totals.FirstPurchaseMicros);
                    Assert.Equal(purchases.Max(r => r.Item4), totals.LastPurchaseMicros);
                }
            }
            table.CountAndClear();
            Assert.Equal(0, table.Count);
            foreach (var segment in CustomerSegments.All)
            {
                var expected = model.Values.LongCount(g => CustomerSegments.All[CustomerSegments.IndexOf(g.Count(r => r.Item3 > 0))] == segment);
                Assert.Equal(expected, table.SegmentCustomers[CustomerSegments.All.ToList().IndexOf(segment)]);
            }
            for (var channel = 0; channel < 4; channel++)
                Assert.Equal(model.Values.LongCount(g => g.Any(r => r.Item2 == channel)), table.ChannelCustomers[channel]);
        }, iter: 100);
    }

    [Fact]
    public void Should_give_the_same_totals_when_the_facts_are_summed_in_parts_and_merged()
    {
        var facts = Gen.Select(Gen.Int[0, 20], Gen.OneOf(Gen.Const("online"), Gen.Const("store"), Gen.Const("phone")), Gen.Int[-3, 3],
            Gen.Long[-100L * 365 * 86_400_000_000, 100L * 365 * 86_400_000_000], Gen.Long[-1_000_000, 1_000_000], Gen.Int[0, 31]).Array[0, 300];
        Gen.Select(facts, Gen.Int[0, 300]).Sample((rows, cut) =>
        {
            var channels = new SalesChannelIndex();
            var whole = new FactTotals(channels);
            var first = new FactTotals(channels);
            var second = new FactTotals(channels);
            for (var i = 0; i < rows.Length; i++)
            {
                Add(whole, rows[i]);
                Add(i < cut ? first : second, rows[i]);
            }
            first.Merge(second);

            Assert.Equal(Products(whole), Products(first));
            Assert.Equal(Months(whole), Months(first));
            // The model: product sums by LINQ.
            var expected = rows.GroupBy(r => $"P{r.Item1}").OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{g.Key}:{g.Count()}:{g.Sum(r => (long)r.Item3)}:{g.Where(r => r.Item3 > 0).Sum(r => r.Item5)}:{-g.Where(r => r.Item3 < 0).Sum(r => r.Item5)}:{g.Sum(r => r.Item5)}");
            Assert.Equal(expected, Products(whole));
            var flags = rows.Where(r => (r.Item6 & (int)SaleFlags.UnknownProduct) != 0).LongCount();
            Assert.Equal(flags, whole.ChannelMonths.Sum(m => m.FlagRows[SaleFlagNames.AllFlags.ToList().IndexOf(SaleFlags.UnknownProduct)]));
        }, iter: 200);
    }

    static void Add(FactTotals totals, (int Product, string Channel, int Quantity, long Micros, long Cents, int Flags) row) =>
        totals.Add(new MetricFact
        {
            ProductId = Encoding.UTF8.GetBytes($"P{row.Product}"),
            Channel = Encoding.UTF8.GetBytes(row.Channel),
            SaleDateMicros = row.Micros,
            Quantity = row.Quantity,
            TotalPriceCents = row.Cents,
            Flags = row.Flags,
        });

    static IEnumerable<string> Products(FactTotals totals) =>
        Enumerable.Range(0, totals.ProductCount)
            .Select(i => (Id: Encoding.UTF8.GetString(totals.ProductIdAt(i)), Totals: totals.ProductAt(i)))
            .OrderBy(p => p.Id, StringComparer.Ordinal)
            .Select(p => $"{p.Id}:{p.Totals.Transactions}:{p.Totals.UnitsSold}:{p.Totals.GrossCents}:{p.Totals.ReturnsCents}:{p.Totals.NetCents}");

    static IEnumerable<string> Months(FactTotals totals) =>
        totals.ChannelMonths
            .Select(m => $"{totals.Channels.Names[m.Channel]}:{m.Month:yyyy-MM}:{m.Transactions}:{m.UnitsSold}:{m.NetCents}:{m.GrossCents}:{m.SaleRows}:{string.Join(',', m.FlagRows)}")
            .Order(StringComparer.Ordinal);
}

/// <summary>FactTotals finds a sale date's month in a table of days: the calendar's month, for any time.</summary>
public sealed class Finding_the_month_of_a_sale_date
{
    [Fact]
    public void Should_give_the_calendar_month_of_any_microsecond_inside_or_outside_the_table()
    {
        var anyTime = Gen.Frequency(
            (6, Gen.Long[-100L * 365 * 86_400_000_000, 200L * 365 * 86_400_000_000]),
            (2, Gen.Long[-1_999L * 365 * 86_400_000_000, 7_900L * 365 * 86_400_000_000]),
            (2, Gen.Int[-40_000, 80_000].Select(day => (day * 86_400_000_000L) + Gen.Long[-1, 1].Single())));
        anyTime.Sample(micros =>
        {
            var time = FactTotals.ToDateTime(micros);
            Assert.Equal((time.Year * 12) + time.Month - 1, FactTotals.MonthNumber(micros));
        }, iter: 20_000);
    }
}
