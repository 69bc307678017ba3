using System.Text;
using CsCheck;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Pipeline.Tests.Sales;

/// <summary>
/// The ingestor's hot path (<see cref="SalesCsvReader.TryAppendNext"/>) writes each field from the reader's UTF-8 bytes
/// (as a part of the raw text where the reader found it) instead of making a string of it: the payload must read back as
/// the records that reading <see cref="RawSale"/> records and appending them gives, first-occurrence marks included, on
/// any file. The bytes may differ: a field that also occurs earlier in its record is written where the reader found it,
/// where appending a <see cref="RawSale"/> finds its first occurrence.
/// </summary>
public class Appending_records_from_the_readers_bytes
{
    const string Header = "transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel";

    // Fields as they appear in a file: plain, padded, quoted with the separator, an escaped quote or a line break inside,
    // non-ASCII (two-, three- and four-byte UTF-8), empty; and ids that repeat, with and without padding.
    static readonly Gen<string> Field = Gen.OneOf(
        Gen.Const("T1"), Gen.Const(" T1\t"), Gen.Const("T2"), Gen.Const("t2"), Gen.Const("Ünïcödé"), Gen.Const("€5"), Gen.Const("😀x"),
        Gen.Const(""), Gen.Const("\"Smith, J\""), Gen.Const("\"say \"\"hi\"\"\""), Gen.Const("\"two\nlines\""), Gen.Const("\"a\r\nb\""),
        Gen.Const("12.50"), Gen.Const("-3"), Gen.Const("2026-11-01"), Gen.Const("online"), Gen.Const(" Store "),
        Gen.String[Gen.Char['a', 'z'], 0, 12]);

    // Well-formed records mostly, and some that are not: a field too many or too few, a stray quote, a blank line.
    static readonly Gen<string> Line = Gen.Frequency(
        (20, Field.List[7, 7].Select(fields => string.Join(',', fields))),
        (2, Field.List[6, 6].Select(fields => string.Join(',', fields))),
        (2, Field.List[8, 8].Select(fields => string.Join(',', fields))),
        (1, Gen.Const("T9,C9,P\"1,2026-11-01,1,1.00,online")),
        (1, Gen.Const("   ")));

    static readonly Gen<string> File = Gen.Select(Line.List[0, 60], Gen.Bool, Gen.Bool)
        .Select((lines, crlf, finalBreak) =>
        {
            var newline = crlf ? "\r\n" : "\n";
            return Header + newline + string.Join(newline, lines) + (finalBreak ? newline : "");
        });

    static byte[] ByRecords(string csv, int filterBytes, int maxRecordBytes)
    {
        using var reader = new SalesCsvReader(new StringReader(csv), new SalesCsvReaderOptions { MaxRecordBytes = maxRecordBytes });
        var header = reader.ReadHeader().Header!;
        using var chunk = new StagedChunkCodec.Encoder();
        foreach (var row in reader.ReadRows(header, new FirstOccurrenceFilter(filterBytes)))
            chunk.Append(row);
        return chunk.Payload.ToArray();
    }

    static byte[] ByBytes(string csv, int filterBytes, int maxRecordBytes)
    {
        using var reader = new SalesCsvReader(new StringReader(csv), new SalesCsvReaderOptions { MaxRecordBytes = maxRecordBytes });
        var header = reader.ReadHeader().Header!;
        using var chunk = new StagedChunkCodec.Encoder();
        var filter = new FirstOccurrenceFilter(filterBytes);
        while (reader.TryAppendNext(header, filter, chunk))
        {
        }
        return chunk.Payload.ToArray();
    }

    [Fact]
    public void Should_write_a_payload_that_reads_back_as_the_records_reading_records_writes()
    {
        // The smallest filter has false positives among these few ids too: both paths must make the same ones.
        Gen.Select(File, Gen.OneOf(Gen.Const(FirstOccurrenceFilter.MinBytes), Gen.Const(FirstOccurrenceFilter.DefaultBytes)))
            .Sample((csv, filterBytes) => Assert.Equal(
                StagedChunkCodec.Decode(ByRecords(csv, filterBytes, 1 << 20)),
                StagedChunkCodec.Decode(ByBytes(csv, filterBytes, 1 << 20))), iter: 400, threads: 1);
    }

    [Fact]
    public void Should_write_a_field_the_reader_found_in_its_record_as_a_part_of_the_raw_text()
    {
        // Every field of a plain record is a part of its text: two bytes each (offset and length) beside the text.
        var csv = $"{Header}\nTX-000001,CUST-0001,PROD-0001,2026-11-01,3,19.99,online\n";

        var payload = ByBytes(csv, FirstOccurrenceFilter.MinBytes, 1 << 20);

        const int Record = 55;
        Assert.Equal(5 + 1 + 1 + 1 + Record + (7 * 2), payload.Length);
        Assert.Equal("CUST-0001", Assert.Single(StagedChunkCodec.Decode(payload)).CustomerId);
    }

    [Fact]
    public void Should_write_a_cut_record_as_reading_records_does()
    {
        var csv = $"{Header}\nT1,C1,P1,2026-11-01,1,1.00,online\nT2,\"{new string('x', 300)}\",P1,2026-11-01,1,1.00,online\nT3,C3,P3,2026-11-02,2,2.00,store\n";

        var bytes = ByBytes(csv, FirstOccurrenceFilter.MinBytes, 128);

        var rows = StagedChunkCodec.Decode(bytes);
        Assert.Equal(StagedChunkCodec.Decode(ByRecords(csv, FirstOccurrenceFilter.MinBytes, 128)), rows);
        Assert.Equal([false, true, false], rows.Select(r => r.Malformed));
        Assert.Contains("record cut", rows[1].RawText, StringComparison.Ordinal);
        Assert.Equal("T3", rows[2].TransactionId);
    }

    [Fact]
    public void Should_mark_an_id_first_from_its_bytes_as_from_its_text()
    {
        // Many distinct ids in a filter of one to four blocks: most answers past the first hundred ids are false
        // positives, which only the same hash repeats.
        var ids = Gen.Select(Gen.Int[0, 5000], Gen.OneOf(Gen.Const(""), Gen.Const(" "), Gen.Const("\t"), Gen.Const("é"), Gen.Const("\u00A0"), Gen.Const("😀")), Gen.OneOf(Gen.Const(""), Gen.Const(" "), Gen.Const("\r")))
            .Select((n, prefix, suffix) => prefix + n.ToString(System.Globalization.CultureInfo.InvariantCulture) + suffix);
        Gen.Select(Gen.Int[FirstOccurrenceFilter.MinBytes, 4 * FirstOccurrenceFilter.MinBytes], ids.List[0, 400]).Sample((bytes, list) =>
        {
            var byText = new FirstOccurrenceFilter(bytes);
            var byBytes = new FirstOccurrenceFilter(bytes);
            foreach (var id in list)
                Assert.Equal(byText.IsFirst(id), byBytes.IsFirstUtf8(Encoding.UTF8.GetBytes(id)));
        }, iter: 200, threads: 1);
    }

    [Fact]
    public void Should_refuse_a_record_begun_and_not_ended_and_text_that_is_not_utf8()
    {
        using var chunk = new StagedChunkCodec.Encoder();
        Assert.Throws<InvalidOperationException>(() => chunk.AppendTexts("x"u8, "x"u8, "x"u8, "x"u8, "x"u8, "x"u8, "x"u8, "x"u8));
        chunk.BeginRecord(2, malformed: false, firstOccurrence: true);
        Assert.Throws<ArgumentException>(() => chunk.AppendTexts([0xC3, 0x28], "x"u8, "x"u8, "x"u8, "x"u8, "x"u8, "x"u8, "x"u8));
        Assert.Throws<ArgumentException>(() => chunk.AppendTexts("raw"u8, [0xC3, 0x28], "x"u8, "x"u8, "x"u8, "x"u8, "x"u8, "x"u8));
        Assert.Throws<InvalidOperationException>(() => chunk.BeginRecord(3, false, false));
        Assert.Throws<InvalidOperationException>(() => chunk.Append(new RawSale(3, true, "raw", null, null, null, null, null, null, null)));
        Assert.Equal(0, chunk.Count);
    }
}
