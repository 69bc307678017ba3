using System.Buffers;
using System.Text;
using CsCheck;
using SalesEtl.Pipeline.Buffers;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Pipeline.Tests.Sales;

public class Encoding_a_staged_chunk
{
    // Any Unicode scalar value (never a lone surrogate), weighted towards what CSV fields and payloads trip on.
    static readonly Gen<string> Piece = Gen.Frequency(
        (4, Gen.Char['a', 'z'].Select(c => c.ToString())),
        (3, Gen.OneOf<string>("\"", "\"\"", ",", "\r", "\n", "\r\n", " ", "\t", "\0")),
        (2, Gen.OneOf<string>("é", "€", "中", "\u00A0", "ß", "\uFEFF")),
        (2, Gen.OneOf<string>("😀", "𝄞", "\U0010FFFF", "\U00010000")),
        (1, Gen.Int[0, 0x10FFFF].Where(c => c is < 0xD800 or > 0xDFFF).Select(char.ConvertFromUtf32)));

    static readonly Gen<string> Text = Gen.Frequency(
        (4, Gen.Const(string.Empty)),
        (30, Piece.Array[1, 12].Select(string.Concat)),
        // Large: a short pattern repeated past 64 KiB of UTF-8 (a varint prefix of three bytes).
        (1, Gen.Select(Piece.Array[1, 4], Gen.Int[20_000, 70_000]).Select((pattern, times) => string.Concat(Enumerable.Repeat(string.Concat(pattern), times)))));

    static readonly Gen<string?> NullableText = Gen.Frequency((1, Gen.Const((string?)null)), (4, Text.Select(t => (string?)t)));

    static readonly Gen<RawSale> Sale =
        Gen.Select(Gen.Long, Gen.Bool, Text, NullableText, NullableText, NullableText, NullableText)
            .SelectMany(head => Gen.Select(NullableText, NullableText, NullableText, Gen.Bool).Select(tail =>
                new RawSale(head.Item1, head.Item2, head.Item3, head.Item4, head.Item5, head.Item6, head.Item7, tail.Item1, tail.Item2, tail.Item3, tail.Item4)));

    static byte[] Encode(IReadOnlyList<RawSale> rows)
    {
        var output = new ArrayBufferWriter<byte>();
        StagedChunkCodec.Encode(rows, output);
        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public void Should_read_back_every_record_as_it_was()
    {
        Sale.List[0, 40].Sample(
            rows =>
            {
                var decoded = StagedChunkCodec.Decode(Encode(rows));

                Assert.Equal(rows, decoded);
                Assert.Equal(rows.Count, StagedChunkCodec.ReadRowCount(Encode(rows)));
            },
            iter: 300,
            threads: 1);
    }

    [Fact]
    public void Should_keep_null_and_empty_text_apart()
    {
        RawSale[] rows =
        [
            new(2, false, "", null, "", null, "", null, "", null),
            new(3, true, "\"a\"b", "", null, "", null, "", null, ""),
        ];

        var decoded = StagedChunkCodec.Decode(Encode(rows));

        Assert.Null(decoded[0].TransactionId);
        Assert.Equal("", decoded[0].CustomerId);
        Assert.Equal("", decoded[1].TransactionId);
        Assert.Null(decoded[1].CustomerId);
        Assert.Equal(rows, decoded);
    }

    [Fact]
    public void Should_write_into_a_reused_pooled_buffer_the_same_bytes_as_into_a_plain_one()
    {
        using var pooled = new PooledBufferWriter(16);
        Sale.List[0, 60].Sample(
            rows =>
            {
                pooled.Clear();
                StagedChunkCodec.Encode(rows, pooled);

                Assert.Equal(Encode(rows), pooled.WrittenSpan.ToArray());
            },
            iter: 30,
            threads: 1);
    }

    [Fact]
    public void Should_start_with_the_version_and_the_row_count_and_write_each_field_as_a_part_of_the_raw_text_or_as_its_own_bytes()
    {
        // Line 2 is 2 after 0 (zig-zag 4), line 5 is 3 after 2 (zig-zag 6). The raw text "T1,é" has 5 UTF-8 bytes (prefix
        // 6); "T1" is its part at offset 0 of length 2 (tag 0 << 1 | 1), "é" at offset 3 of length 2 (tag 3 << 1 | 1);
        // "" is its own bytes (tag (0 + 1) << 1), "C9" is not in the text (tag (2 + 1) << 1); null is 0.
        var payload = Encode([
            new RawSale(2, false, "T1,é", "T1", "é", "", "C9", null, null, null),
            new RawSale(5, true, "x", null, null, null, null, null, null, null)]);

        Assert.Equal(new byte[]
        {
            3, 2, 0, 0, 0,
            4, 0, 6, (byte)'T', (byte)'1', (byte)',', 0xC3, 0xA9, 1, 2, 7, 2, 2, 6, (byte)'C', (byte)'9', 0, 0, 0,
            6, 1, 2, (byte)'x', 0, 0, 0, 0, 0, 0, 0,
        }, payload);
        Assert.Equal([new RawSale(2, false, "T1,é", "T1", "é", "", "C9", null, null, null), new RawSale(5, true, "x", null, null, null, null, null, null, null)],
            StagedChunkCodec.Decode(payload));
    }

    [Fact]
    public void Should_read_a_version_2_payload_whose_fields_lie_beside_the_raw_text()
    {
        // Version 2: absolute lines, eight texts of (length + 1) and bytes, the raw text last.
        byte[] payload = [2, 2, 0, 0, 0, 4, 2, 3, (byte)'T', (byte)'1', 0, 1, 0, 0, 0, 0, 3, 0xC3, 0xA9, 6, 1, 0, 0, 0, 0, 0, 0, 0, 2, (byte)'x'];

        var rows = StagedChunkCodec.Decode(payload);

        Assert.Equal([new RawSale(2, false, "é", "T1", null, "", null, null, null, null, FirstOccurrence: true), new RawSale(3, true, "x", null, null, null, null, null, null, null)], rows);
    }

    [Fact]
    public void Should_refuse_a_field_that_lies_outside_its_raw_text()
    {
        // The raw text "ab" (2 bytes), the transaction id at offset 1 of length 2.
        byte[] payload = [3, 1, 0, 0, 0, 4, 0, 3, (byte)'a', (byte)'b', 3, 2, 0, 0, 0, 0, 0, 0];

        var exception = Assert.Throws<InvalidDataException>(() => StagedChunkCodec.Decode(payload));

        Assert.Contains("outside its raw text", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, false, 0)]
    [InlineData(true, false, 1)]
    [InlineData(false, true, 2)]
    [InlineData(true, true, 3)]
    public void Should_carry_the_malformed_and_first_occurrence_flags_in_one_byte(bool malformed, bool firstOccurrence, byte flags)
    {
        var payload = Encode([new RawSale(2, malformed, "r", null, null, null, null, null, null, null, firstOccurrence)]);

        Assert.Equal(flags, payload[6]);
        Assert.Equal(firstOccurrence, StagedChunkCodec.Decode(payload)[0].FirstOccurrence);
    }

    [Fact]
    public void Should_read_a_version_1_payload_with_no_record_marked_first()
    {
        // Version 1 as staged before the first-occurrence flag: the same layout, the flag byte 0 or 1.
        byte[] payload = [1, 2, 0, 0, 0, 4, 0, 3, (byte)'T', (byte)'1', 0, 0, 0, 0, 0, 0, 2, (byte)'r', 6, 1, 0, 0, 0, 0, 0, 0, 0, 2, (byte)'x'];

        var rows = StagedChunkCodec.Decode(payload);

        Assert.Equal([new RawSale(2, false, "r", "T1", null, null, null, null, null, null), new RawSale(3, true, "x", null, null, null, null, null, null, null)], rows);
        Assert.All(rows, row => Assert.False(row.FirstOccurrence));
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(2, 0x80)]
    [InlineData(3, 4)]
    public void Should_refuse_a_flag_the_payloads_version_does_not_define(byte version, byte flags)
    {
        var payload = Encode([new RawSale(2, false, "raw", "T1", null, null, null, null, null, null)]);
        payload[0] = version;
        payload[6] = flags;

        var exception = Assert.Throws<InvalidDataException>(() => StagedChunkCodec.Decode(payload));

        Assert.Contains($"flags {flags}", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_a_truncated_payload_at_every_length()
    {
        var payload = Encode([new RawSale(2, false, "raw,text", "T1", "C1", "P1", "2024-05-01", "2", "20.00", "online"),
                              new RawSale(3, true, "\"x\"y", null, null, null, null, null, null, null)]);

        for (var length = 0; length < payload.Length; length++)
        {
            var exception = Assert.Throws<InvalidDataException>(() => StagedChunkCodec.Decode(payload.AsSpan(0, length)));
            Assert.Contains("truncated", exception.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Should_refuse_another_format_version(byte version)
    {
        var payload = Encode([new RawSale(2, false, "raw", "T1", null, null, null, null, null, null)]);
        payload[0] = version;

        var exception = Assert.Throws<InvalidDataException>(() => StagedChunkCodec.Decode(payload));

        Assert.Contains($"format version {version}", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_bytes_after_the_last_row()
    {
        var payload = Encode([new RawSale(2, false, "raw", "T1", null, null, null, null, null, null)]);

        var exception = Assert.Throws<InvalidDataException>(() => StagedChunkCodec.Decode([.. payload, 0]));

        Assert.Contains("1 bytes after its 1 rows", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_a_payload_that_announces_more_rows_than_it_holds_without_sizing_a_list_by_it()
    {
        var payload = Encode([]);
        payload[1] = payload[2] = payload[3] = 0xFF;
        payload[4] = 0x7F;

        Assert.Throws<InvalidDataException>(() => StagedChunkCodec.Decode(payload));
    }

    [Fact]
    public void Should_refuse_text_that_is_not_valid_utf8()
    {
        var payload = Encode([new RawSale(2, false, "ab", null, null, null, null, null, null, null)]);
        // The raw text's second byte: after the header (5), the line, the flags and the text's length.
        payload[9] = 0xFF;

        var exception = Assert.Throws<InvalidDataException>(() => StagedChunkCodec.Decode(payload));

        Assert.IsType<DecoderFallbackException>(exception.InnerException);
    }

    [Fact]
    public void Should_refuse_to_encode_a_lone_surrogate_rather_than_change_it()
    {
        Assert.Throws<EncoderFallbackException>(() => Encode([new RawSale(2, false, "a\uD800b", null, null, null, null, null, null, null)]));
    }
    static List<RawSale> ReadOneByOne(ReadOnlySpan<byte> payload)
    {
        var rows = new List<RawSale>();
        var reader = new StagedChunkCodec.Reader(payload);
        while (reader.TryRead(out var row))
            rows.Add(row);
        return rows;
    }

    [Fact]
    public void Should_read_record_by_record_what_decoding_the_whole_payload_reads()
    {
        Sale.List[0, 40].Sample(
            rows =>
            {
                var payload = Encode(rows);

                Assert.Equal(rows.Count, new StagedChunkCodec.Reader(payload).Count);
                Assert.Equal(rows, ReadOneByOne(payload));
                Assert.Equal(StagedChunkCodec.Decode(payload), ReadOneByOne(payload));
            },
            iter: 300,
            threads: 1);
    }

    [Fact]
    public void Should_refuse_a_truncated_payload_record_by_record_as_decoding_it_whole_does()
    {
        Gen.Select(Sale.List[1, 10], Gen.Double[0, 1]).Sample(
            (rows, cut) =>
            {
                var payload = Encode(rows);
                var length = (int)(cut * (payload.Length - 1));

                var whole = Assert.Throws<InvalidDataException>(() => StagedChunkCodec.Decode(payload.AsSpan(0, length)));
                var oneByOne = Assert.Throws<InvalidDataException>(() => ReadOneByOne(payload.AsSpan(0, length)));

                Assert.Contains("truncated", oneByOne.Message, StringComparison.Ordinal);
                Assert.Equal(whole.Message, oneByOne.Message);
            },
            iter: 300,
            threads: 1);
    }

    [Fact]
    public void Should_refuse_bytes_after_the_last_row_when_reading_record_by_record()
    {
        var payload = Encode([new RawSale(2, false, "raw", "T1", null, null, null, null, null, null)]);

        var exception = Assert.Throws<InvalidDataException>(() => ReadOneByOne([.. payload, 0]));

        Assert.Contains("1 bytes after its 1 rows", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_hand_out_a_record_before_reading_the_next()
    {
        var first = new RawSale(2, false, "raw,text", "T1", "C1", "P1", "2024-05-01", "2", "20.00", "online", FirstOccurrence: true);
        var payload = Encode([first, new RawSale(3, false, "second", "T2", null, null, null, null, null, null)]);
        var reader = new StagedChunkCodec.Reader(payload.AsSpan(0, payload.Length - 1));

        Assert.True(reader.TryRead(out var read));
        Assert.Equal(first, read);
        try
        {
            reader.TryRead(out _);
            Assert.Fail("The truncated second record was read.");
        }
        catch (InvalidDataException exception)
        {
            Assert.Contains("truncated", exception.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Should_encode_record_by_record_the_bytes_that_encoding_the_list_gives()
    {
        Sale.List[0, 40].Sample(
            rows =>
            {
                using var encoder = new StagedChunkCodec.Encoder(capacityHint: 16);
                foreach (var row in rows)
                    encoder.Append(row);

                Assert.Equal(Encode(rows), encoder.Payload.ToArray());
                Assert.Equal(rows.Count, encoder.Count);
                Assert.Equal(rows.Count == 0 ? 0 : rows[0].SourceLine, encoder.FirstSourceLine);
                Assert.Equal(rows.Count == 0 ? 0 : rows[^1].SourceLine, encoder.LastSourceLine);
            },
            iter: 300,
            threads: 1);
    }

    [Fact]
    public void Should_encode_the_next_chunk_from_scratch_after_a_reset()
    {
        Gen.Select(Sale.List[1, 10], Sale.List[0, 10]).Sample(
            (first, second) =>
            {
                using var encoder = new StagedChunkCodec.Encoder();
                foreach (var row in first)
                    encoder.Append(row);
                _ = encoder.Payload;
                encoder.Reset();
                foreach (var row in second)
                    encoder.Append(row);

                Assert.Equal(Encode(second), encoder.Payload.ToArray());
                Assert.Equal(second.Count, encoder.Count);
            },
            iter: 100,
            threads: 1);
    }
}
