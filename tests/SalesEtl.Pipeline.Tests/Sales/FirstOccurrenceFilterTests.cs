using System.Globalization;
using System.Text;
using CsCheck;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Pipeline.Tests.Sales;

public class Marking_first_occurrences_of_transaction_ids(Xunit.Abstractions.ITestOutputHelper output)
{
    static List<RawSale> Read(string csv, FirstOccurrenceFilter filter)
    {
        using var reader = new SalesCsvReader(new StringReader(csv));
        return [.. reader.ReadRows(reader.ReadHeader().Header!, filter)];
    }

    [Fact]
    public void Should_never_mark_a_repeated_id_first_whatever_the_filter_size()
    {
        // The guarantee the pipeline relies on: a record marked first has no earlier record with its trimmed id.
        Gen.Select(Gen.Int[FirstOccurrenceFilter.MinBytes, 4096], Gen.Int[0, 60].Select(i => i.ToString(CultureInfo.InvariantCulture)).Select(id => Gen.OneOf(Gen.Const(id), Gen.Const($" {id}\t"))).SelectMany(g => g).List[0, 300])
            .Sample((bytes, ids) =>
            {
                var filter = new FirstOccurrenceFilter(bytes);
                var seen = new HashSet<string>(StringComparer.Ordinal);
                for (var i = 0; i < ids.Count; i++)
                {
                    var first = filter.IsFirst(ids[i]);
                    var isNew = seen.Add(ids[i].Trim());
                    if (!isNew)
                        Assert.False(first, $"'{ids[i]}' at record {i} was seen before");
                }
            }, iter: 200);
    }

    sealed class Answers : IFirstOccurrenceMarks
    {
        public HashSet<int> First { get; } = [];

        public void MarkFirst(int token) => Assert.True(First.Add(token), $"token {token} told twice");
    }

    [Fact]
    public void Should_answer_ids_asked_later_as_it_answers_them_at_once()
    {
        // A small filter makes false positives, which depend on the order the ids are added in: the later answers
        // must be the same, also when ids asked at once (which settle the waiting ones first) come in between.
        var ids = Gen.Select(Gen.Int[0, 3000], Gen.OneOf(Gen.Const(""), Gen.Const(" "), Gen.Const("é")))
            .Select((n, prefix) => prefix + n.ToString(CultureInfo.InvariantCulture));
        Gen.Select(Gen.Int[FirstOccurrenceFilter.MinBytes, 4 * FirstOccurrenceFilter.MinBytes], Gen.Select(ids, Gen.Int[0, 9]).List[0, 300])
            .Sample((bytes, asked) =>
            {
                var atOnce = new FirstOccurrenceFilter(bytes);
                var later = new FirstOccurrenceFilter(bytes);
                var answers = new Answers();
                var expected = new HashSet<int>();
                for (var i = 0; i < asked.Count; i++)
                {
                    var (id, how) = asked[i];
                    var utf8 = Encoding.UTF8.GetBytes(id);
                    if (how == 0)
                    {
                        Assert.Equal(atOnce.IsFirstUtf8(utf8), later.IsFirstUtf8(utf8));
                        continue;
                    }
                    if (atOnce.IsFirstUtf8(utf8))
                        expected.Add(i);
                    later.AddLater(utf8, answers, i);
                }
                later.Settle();
                Assert.Equal(expected.Order(), answers.First.Order());
            }, iter: 300, threads: 1);
    }

    [Fact]
    public void Should_add_the_waiting_ids_of_a_chunk_when_it_is_reset_without_its_payload_taken()
    {
        var filter = new FirstOccurrenceFilter(FirstOccurrenceFilter.DefaultBytes);
        using var chunk = new StagedChunkCodec.Encoder();
        chunk.BeginRecord(2, filter, "T1"u8);
        chunk.AppendTexts("T1"u8, "T1"u8, "x"u8, "x"u8, "x"u8, "x"u8, "x"u8, "x"u8);

        chunk.Reset();

        Assert.False(filter.IsFirstUtf8("T1"u8));
    }

    [Fact]
    public void Should_hand_out_a_kept_filter_again_knowing_no_id_and_none_of_another_size()
    {
        var filters = new FirstOccurrenceFilters();
        var first = filters.Rent(FirstOccurrenceFilter.DefaultBytes)!;
        Assert.True(first.IsFirstUtf8("T1"u8));
        first.AddLater("T2"u8, new Answers(), 0);
        filters.Return(first);

        var again = filters.Rent(FirstOccurrenceFilter.DefaultBytes + 5)!;
        var other = filters.Rent(FirstOccurrenceFilter.DefaultBytes);

        Assert.Same(first, again);
        Assert.True(again.IsFirstUtf8("T1"u8));
        Assert.True(again.IsFirstUtf8("T2"u8));
        Assert.NotSame(first, other);
        filters.Return(again);
        Assert.NotSame(first, filters.Rent(FirstOccurrenceFilter.MinBytes));
        Assert.Null(filters.Rent(0));
    }

    [Fact]
    public void Should_mark_every_distinct_id_first_in_a_filter_of_the_default_size()
    {
        var filter = new FirstOccurrenceFilter(FirstOccurrenceFilter.DefaultBytes);

        var firsts = Enumerable.Range(0, 100_000).Count(i => filter.IsFirst($"TX-{i:D8}"));

        Assert.Equal(100_000, firsts);
    }

    [Fact]
    public void Should_take_fewer_than_one_in_a_thousand_distinct_ids_for_repeats_at_ten_million_ids_in_the_default_size()
    {
        // The documented rate at 10 M ids in 16 MiB (13.4 bits an id), at the same ratio: 1.25 M ids in 2 MiB. The filter
        // fills as the file is read, so early ids meet an emptier filter than the last ones (0.04 % over the whole file with the blocked layout, 0.03 % with seven independent cache lines).
        var filter = new FirstOccurrenceFilter(2 * 1024 * 1024);
        const int ids = 1_250_000;

        var falseRepeats = Enumerable.Range(0, ids).Count(i => !filter.Add($"TX-{i:D8}"));
        output.WriteLine($"{falseRepeats} of {ids} distinct ids taken for repeats ({falseRepeats * 100.0 / ids:0.000} %)");

        Assert.InRange(falseRepeats / (double)ids, 0.0001, 0.001);
    }

    [Fact]
    public void Should_compare_ids_after_trimming_ascii_whitespace_and_with_their_case()
    {
        var filter = new FirstOccurrenceFilter(1024);

        Assert.True(filter.IsFirst("T1"));
        Assert.False(filter.IsFirst(" T1\t"));
        Assert.True(filter.IsFirst("t1"));
        Assert.True(filter.IsFirst("\u00A0T1"));
        Assert.False(filter.IsFirst("   "));
        Assert.False(filter.IsFirst(null));
    }

    [Fact]
    public void Should_mark_records_as_the_reader_reads_them_and_let_malformed_records_and_missing_ids_claim_nothing()
    {
        var rows = Read("""
            transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel
            T1,C1,P1,2026-11-01,1,10.00,web,extra field
            ,C1,P1,2026-11-01,1,10.00,web
            T1,C1,P1,2026-11-01,1,10.00,web
            T2,C1,P1,2026-11-01,1,10.00,web
            " T1 ",C1,P1,2026-11-01,1,10.00,web

            """, new FirstOccurrenceFilter(1024));

        Assert.Equal([false, false, true, true, false], rows.Select(row => row.FirstOccurrence));
        Assert.True(rows[0].Malformed);
    }

    [Fact]
    public void Should_mark_nothing_when_the_reader_has_no_filter()
    {
        using var reader = new SalesCsvReader(new StringReader("transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel\nT1,C1,P1,2026-11-01,1,10.00,web\n"));

        Assert.False(reader.ReadRows(reader.ReadHeader().Header!).Single().FirstOccurrence);
    }

    [Theory]
    [InlineData(64, 64)]
    [InlineData(1000, 512)]
    [InlineData(1024, 1024)]
    [InlineData(FirstOccurrenceFilter.DefaultBytes + 1, FirstOccurrenceFilter.DefaultBytes)]
    public void Should_round_its_size_down_to_a_power_of_two(int bytes, long size)
    {
        Assert.Equal(size, new FirstOccurrenceFilter(bytes).Bytes);
    }

    [Theory]
    [InlineData(63)]
    [InlineData(-1)]
    [InlineData(FirstOccurrenceFilter.MaxBytes + 1)]
    public void Should_refuse_a_size_it_cannot_hold(int bytes)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FirstOccurrenceFilter(bytes));
    }

    [Fact]
    public void Should_be_off_at_size_zero()
    {
        Assert.Null(FirstOccurrenceFilter.Create(0));
    }
}
