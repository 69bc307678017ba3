using System.Text;
using CsCheck;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Pipeline.Tests.Sales;

/// <summary>
/// The ingestor gives the reader the file's bytes (no decoding into UTF-16 and back): every record, line number, cut and
/// replacement must be the same as reading the same bytes decoded by a <see cref="StreamReader"/> first, whatever the
/// bytes (a BOM, bytes that are not UTF-8, NUL, characters of two to four bytes, quoted line breaks, records over the
/// limit) and however the file's reads split them.
/// </summary>
public class Reading_a_files_bytes
{
    const string Header = "transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel";

    /// <summary>A stream that hands out its bytes in reads of random small sizes, to split characters and records.</summary>
    sealed class Trickling(byte[] bytes, int seed) : MemoryStream(bytes)
    {
        readonly Random random = new(seed);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, random.Next(1, 9)));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, random.Next(1, 9))]);
    }

    static readonly Gen<byte[]> Piece = Gen.OneOf(
        Gen.Const("T1"u8.ToArray()), Gen.Const("C1"u8.ToArray()), Gen.Const(","u8.ToArray()), Gen.Const("\""u8.ToArray()),
        Gen.Const("\n"u8.ToArray()), Gen.Const("\r\n"u8.ToArray()), Gen.Const("\r"u8.ToArray()), Gen.Const("   "u8.ToArray()),
        Gen.Const("é"u8.ToArray()), Gen.Const("€"u8.ToArray()), Gen.Const("😀"u8.ToArray()), Gen.Const(new byte[] { 0 }),
        Gen.Const(new byte[] { 0xFF }), Gen.Const(new byte[] { 0xC3 }), Gen.Const(new byte[] { 0xE2, 0x82 }), Gen.Const(new byte[] { 0xF0, 0x9F, 0x98 }),
        Gen.Const(new byte[] { 0xED, 0xA0, 0x80 }), Gen.Const(new byte[] { 0x80 }), Gen.Const("\uFEFF"u8.ToArray()),
        Gen.Const("2024-05-01,2,20.00,web"u8.ToArray()), Gen.Const(Encoding.UTF8.GetBytes(new string('x', 70))));

    static readonly Gen<byte[]> File = Gen.Select(Piece.Array[0, 80], Gen.Int[0, 2], Gen.Bool).Select((pieces, boms, lf) =>
    {
        var bytes = new List<byte>();
        for (var bom = 0; bom < boms; bom++)
            bytes.AddRange("\uFEFF"u8.ToArray());
        bytes.AddRange(Encoding.UTF8.GetBytes(Header + (lf ? "\n" : "\r\n")));
        foreach (var piece in pieces)
            bytes.AddRange(piece);
        return bytes.ToArray();
    });

    static string Read(SalesCsvReader reader)
    {
        var result = new StringBuilder();
        try
        {
            if (reader.ReadHeader().Header is not { } header)
                return "no header";
            foreach (var row in reader.ReadRows(header))
                result.Append(row).Append('\n');
        }
        catch (SalesFileException exception)
        {
            result.Append("failed: ").Append(exception.Message);
        }
        return result.ToString();
    }

    static string ReadDecodedFirst(byte[] file, int maxRecordBytes)
    {
        using var reader = new SalesCsvReader(
            new StreamReader(new MemoryStream(file), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: false),
            new SalesCsvReaderOptions { MaxRecordBytes = maxRecordBytes, MaxRawTextCharsOfLongRecord = 40 });
        return Read(reader);
    }

    static string ReadBytes(Stream file, int maxRecordBytes)
    {
        using var reader = new SalesCsvReader(file, new SalesCsvReaderOptions { MaxRecordBytes = maxRecordBytes, MaxRawTextCharsOfLongRecord = 40 });
        return Read(reader);
    }

    [Fact]
    public void Should_read_the_records_that_decoding_the_file_first_reads()
    {
        Gen.Select(File, Gen.OneOf(Gen.Const(64), Gen.Int[64, 200], Gen.Const(1 << 20)), Gen.Int).Sample((file, limit, seed) =>
        {
            var expected = ReadDecodedFirst(file, limit);
            Assert.Equal(expected, ReadBytes(new MemoryStream(file), limit));
            Assert.Equal(expected, ReadBytes(new Trickling(file, seed), limit));
        }, iter: 2000, threads: 1);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { (byte)'a' })]
    [InlineData(new byte[] { 0xEF, 0xBB })]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF })]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF })]
    [InlineData(new byte[] { 0xFF, 0xFE, (byte)'t', 0 })]
    [InlineData(new byte[] { 0xC3 })]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, 0xC3 })]
    public void Should_read_a_tiny_file_as_decoding_it_first_does(byte[] file)
    {
        Assert.Equal(ReadDecodedFirst(file, 64), ReadBytes(new MemoryStream(file), 64));
        Assert.Equal(ReadDecodedFirst(file, 64), ReadBytes(new Trickling(file, 1), 64));
    }

    [Fact]
    public void Should_replace_bytes_that_are_not_utf8_across_the_reads_of_a_large_file()
    {
        // Far more than one read of the stream (32 KB): characters and bad bytes land on every boundary.
        var line = "T1,C1,P1,2024-05-01,2,20.00,w\u00E9b\u20AC\uD83D\uDE00"u8.ToArray().Concat(new byte[] { 0xFF, 0xC3, (byte)'\n' }).ToArray();
        var file = Encoding.UTF8.GetBytes(Header + "\n").Concat(Enumerable.Repeat(line, 20_000).SelectMany(l => l)).ToArray();

        var expected = ReadDecodedFirst(file, 1 << 20);

        Assert.Equal(expected, ReadBytes(new MemoryStream(file), 1 << 20));
        Assert.Contains("\uFFFD\uFFFD", expected, StringComparison.Ordinal);
    }
}

public class Limiting_records_a_whole_record_at_a_time
{
    static (byte[] Output, List<TruncatedRecord> Cut) Pass(byte[] file, int maxRecordBytes, bool wholeRecords, int readSize)
    {
        using var stream = new RecordLimitingStream(new MemoryStream(file), maxRecordBytes, skipByteOrderMark: true) { WholeRecords = wholeRecords };
        var output = new MemoryStream();
        var buffer = new byte[readSize];
        int read;
        while ((read = stream.Read(buffer)) > 0)
            output.Write(buffer, 0, read);
        var cut = new List<TruncatedRecord>();
        while (stream.TryPeekTruncated(out _))
            cut.Add(stream.TakeTruncated());
        return (output.ToArray(), cut);
    }

    [Fact]
    public void Should_pass_on_what_the_steps_pass_on_and_cut_what_they_cut()
    {
        var piece = Gen.OneOf(
            Gen.Const("T1,C1"u8.ToArray()), Gen.Const(","u8.ToArray()), Gen.Const("\""u8.ToArray()), Gen.Const("\n"u8.ToArray()),
            Gen.Const("\r\n"u8.ToArray()), Gen.Const("\r"u8.ToArray()), Gen.Const(" \t"u8.ToArray()), Gen.Const("é€😀"u8.ToArray()),
            Gen.Const(new byte[] { 0 }), Gen.Const(Encoding.UTF8.GetBytes(new string('x', 50))));
        Gen.Select(piece.Array[0, 60], Gen.OneOf(Gen.Const(64), Gen.Int[64, 160]), Gen.Int[1, 300]).Sample((pieces, limit, readSize) =>
        {
            var file = pieces.SelectMany(p => p).ToArray();
            var whole = Pass(file, limit, wholeRecords: true, readSize);
            var steps = Pass(file, limit, wholeRecords: false, readSize);
            Assert.Equal(steps.Output, whole.Output);
            Assert.Equal(steps.Cut, whole.Cut);
        }, iter: 3000, threads: 1);
    }
}
