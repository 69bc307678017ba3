using System.Text;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Pipeline.Tests.Sales;

public class Reading_a_sales_file
{
    private const string Header = "transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel";

    private static List<RawSale> ReadAll(string text) => ReadAll(new StringReader(text));

    private static List<RawSale> ReadAll(TextReader text)
    {
        using var reader = new SalesCsvReader(text);
        var resolution = reader.ReadHeader();
        Assert.NotNull(resolution.Header);
        return reader.ReadRows(resolution.Header).ToList();
    }

    private static void AssertFields(RawSale row, params string[] expected)
    {
        Assert.False(row.Malformed);
        IEnumerable<string?> actual = [row.TransactionId, row.CustomerId, row.ProductId, row.SaleDate, row.Quantity, row.TotalPrice, row.SalesChannel];
        Assert.Equal(expected, actual);
    }

    private static void AssertMalformed(RawSale row, long line, string rawText)
    {
        Assert.True(row.Malformed);
        Assert.Equal(line, row.SourceLine);
        Assert.Equal(rawText, row.RawText);
        Assert.Null(row.TransactionId);
        Assert.Null(row.CustomerId);
        Assert.Null(row.ProductId);
        Assert.Null(row.SaleDate);
        Assert.Null(row.Quantity);
        Assert.Null(row.TotalPrice);
        Assert.Null(row.SalesChannel);
    }

    [Fact]
    public void Should_read_records_with_their_line_and_raw_text()
    {
        var rows = ReadAll(Header + "\nT1,C1,P1,2024-05-01,2,20.00,web\nT2,,P2,2024-05-02,-1,,store\n");

        Assert.Equal(2, rows.Count);
        Assert.Equal(2, rows[0].SourceLine);
        Assert.Equal("T1,C1,P1,2024-05-01,2,20.00,web", rows[0].RawText);
        AssertFields(rows[0], "T1", "C1", "P1", "2024-05-01", "2", "20.00", "web");
        Assert.Equal(3, rows[1].SourceLine);
        AssertFields(rows[1], "T2", "", "P2", "2024-05-02", "-1", "", "store");
    }

    [Fact]
    public void Should_keep_spaces_in_fields_for_the_normalizer()
    {
        var rows = ReadAll(Header + "\n T1 , C1 ,P1,2024-05-01, 2 ,20.00, web \n");

        AssertFields(rows[0], " T1 ", " C1 ", "P1", "2024-05-01", " 2 ", "20.00", " web ");
    }

    [Fact]
    public void Should_read_utf8_with_a_byte_order_mark_through_a_stream_reader()
    {
        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true).GetPreamble()
            .Concat(Encoding.UTF8.GetBytes(Header + "\nT1,Zoë,P1,2024-05-01,2,€20.00,web\n"))
            .ToArray();

        using var reader = new SalesCsvReader(new StreamReader(new MemoryStream(bytes), Encoding.UTF8));
        var resolution = reader.ReadHeader();
        var rows = reader.ReadRows(resolution.Header!).ToList();

        Assert.Equal(0, resolution.Header!.TransactionId);
        Assert.Empty(resolution.Header.ExtraColumns);
        AssertFields(rows[0], "T1", "Zoë", "P1", "2024-05-01", "2", "€20.00", "web");
    }

    [Fact]
    public void Should_resolve_a_header_that_starts_with_a_byte_order_mark_character()
    {
        var rows = ReadAll("\uFEFF" + Header + "\nT1,C1,P1,2024-05-01,2,20.00,web\n");

        AssertFields(rows[0], "T1", "C1", "P1", "2024-05-01", "2", "20.00", "web");
    }

    [Fact]
    public void Should_read_crlf_line_ends_without_keeping_them()
    {
        var rows = ReadAll(Header + "\r\nT1,C1,P1,2024-05-01,2,20.00,web\r\nT2,C1,P1,2024-05-01,2,20.00,web\r\n");

        Assert.Equal([2L, 3L], rows.Select(r => r.SourceLine));
        Assert.Equal("T1,C1,P1,2024-05-01,2,20.00,web", rows[0].RawText);
        Assert.Equal("web", rows[1].SalesChannel);
    }

    [Fact]
    public void Should_read_a_last_record_without_line_end()
    {
        var rows = ReadAll(Header + "\nT1,C1,P1,2024-05-01,2,20.00,web");

        AssertFields(rows.Single(), "T1", "C1", "P1", "2024-05-01", "2", "20.00", "web");
    }

    [Fact]
    public void Should_unquote_commas_doubled_quotes_and_line_breaks()
    {
        var rows = ReadAll(
            Header + "\n"
            + "\"T,1\",\"say \"\"hi\"\"\",P1,2024-05-01,2,\"1,234.50\",\"brick\nand mortar\"\n"
            + "T2,\"\",\"\"\"\",2024-05-01,2,\"\",\"a\r\nb\"\n");

        AssertFields(rows[0], "T,1", "say \"hi\"", "P1", "2024-05-01", "2", "1,234.50", "brick\nand mortar");
        Assert.Equal("\"T,1\",\"say \"\"hi\"\"\",P1,2024-05-01,2,\"1,234.50\",\"brick\nand mortar\"", rows[0].RawText);
        AssertFields(rows[1], "T2", "", "\"", "2024-05-01", "2", "", "a\r\nb");
    }

    [Fact]
    public void Should_count_physical_lines_after_multi_line_records()
    {
        var rows = ReadAll(
            Header + "\n"                                          // line 1
            + "T1,C1,P1,2024-05-01,2,20.00,\"line\nbreak\"\n"      // lines 2-3
            + "T2,C1,P1,2024-05-01,2,20.00,\"two\r\n\r\nbreaks\"\r\n" // lines 4-6
            + "T3,C1,P1,2024-05-01,2,20.00,web\n");               // line 7

        Assert.Equal([2L, 4L, 7L], rows.Select(r => r.SourceLine));
    }

    [Fact]
    public void Should_skip_blank_lines_and_count_them_as_lines()
    {
        var rows = ReadAll(
            Header + "\n\n"                               // lines 1-2
            + "T1,C1,P1,2024-05-01,2,20.00,web\n"         // line 3
            + "\r\n   \n\t\n"                             // lines 4-6
            + "T2,C1,P1,2024-05-01,2,20.00,web\n\n\n");   // line 7

        Assert.Equal([3L, 7L], rows.Select(r => r.SourceLine));
        Assert.All(rows, r => Assert.False(r.Malformed));
    }

    [Fact]
    public void Should_skip_blank_lines_before_the_header()
    {
        var rows = ReadAll("\n  \n" + Header + "\nT1,C1,P1,2024-05-01,2,20.00,web\n");

        Assert.Equal(4, rows.Single().SourceLine);
        Assert.Equal("T1", rows[0].TransactionId);
    }

    [Fact]
    public void Should_keep_a_row_of_empty_fields_as_a_record()
    {
        var rows = ReadAll(Header + "\n,,,,,,\n");

        AssertFields(rows.Single(), "", "", "", "", "", "", "");
    }

    [Fact]
    public void Should_mark_text_after_a_closing_quote_as_malformed_and_go_on()
    {
        var rows = ReadAll(Header + "\n\"T1\"x,C1,P1,2024-05-01,2,20.00,web\nT2,C1,P1,2024-05-01,2,20.00,web\n");

        AssertMalformed(rows[0], 2, "\"T1\"x,C1,P1,2024-05-01,2,20.00,web");
        Assert.Equal(3, rows[1].SourceLine);
        AssertFields(rows[1], "T2", "C1", "P1", "2024-05-01", "2", "20.00", "web");
    }

    [Fact]
    public void Should_not_reopen_quoting_after_text_after_a_closing_quote()
    {
        var rows = ReadAll(Header + "\n\"T1\"x\"y,C1,P1,2024-05-01,2,20.00,web\nT2,C1,P1,2024-05-01,2,20.00,web\n");

        AssertMalformed(rows[0], 2, "\"T1\"x\"y,C1,P1,2024-05-01,2,20.00,web");
        AssertFields(rows[1], "T2", "C1", "P1", "2024-05-01", "2", "20.00", "web");
    }

    [Theory]
    [InlineData("T\"1,C1,P1,2024-05-01,2,20.00,web")]
    [InlineData("T1,C1,P1,2024-05-01,2,20.00,web\"")]
    [InlineData(" \"T1\",C1,P1,2024-05-01,2,20.00,web")]
    [InlineData("\"T1\" ,C1,P1,2024-05-01,2,20.00,web")]
    public void Should_mark_a_quote_that_does_not_open_a_field_as_malformed(string record)
    {
        var rows = ReadAll(Header + "\n" + record + "\nT2,C1,P1,2024-05-01,2,20.00,web\n");

        AssertMalformed(rows[0], 2, record);
        Assert.Equal("T2", rows[1].TransactionId);
        Assert.Equal(3, rows[1].SourceLine);
    }

    [Theory]
    [InlineData("T1,C1,P1,2024-05-01,2,20.00")]
    [InlineData("T1,C1,P1,2024-05-01,2,20.00,web,extra")]
    [InlineData("just text")]
    public void Should_mark_a_wrong_number_of_fields_as_malformed(string record)
    {
        var rows = ReadAll(Header + "\n" + record + "\r\nT2,C1,P1,2024-05-01,2,20.00,web\r\n");

        AssertMalformed(rows[0], 2, record);
        Assert.False(rows[1].Malformed);
    }

    [Fact]
    public void Should_make_an_unterminated_quote_one_malformed_record_to_the_end()
    {
        var rows = ReadAll(Header + "\nT1,C1,P1,2024-05-01,2,20.00,web\nT2,\"C1,P1,2024-05-01,2,20.00,web\nT3,C1,P1,2024-05-01,2,20.00,web\n");

        Assert.Equal(2, rows.Count);
        Assert.False(rows[0].Malformed);
        AssertMalformed(rows[1], 3, "T2,\"C1,P1,2024-05-01,2,20.00,web\nT3,C1,P1,2024-05-01,2,20.00,web");
    }

    [Fact]
    public void Should_fail_the_file_when_an_unterminated_quote_outgrows_the_record_limit()
    {
        var text = Header + "\n\"" + new string('x', 5000) + "\nT2,C1,P1,2024-05-01,2,20.00,web\n";
        using var reader = new SalesCsvReader(new StringReader(text), new SalesCsvReaderOptions { MaxRecordBytes = 1024 });
        var header = reader.ReadHeader().Header!;

        var error = Assert.Throws<SalesFileException>(() => reader.ReadRows(header).ToList());
        Assert.Contains("1024 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_map_reordered_columns_and_ignore_extra_ones()
    {
        var rows = ReadAll(
            "Notes, SALES_CHANNEL ,total_price,Quantity,sale_date,product_id,customer_id,transaction_id,region\n"
            + "\"a, b\",web,20.00,2,2024-05-01,P1,C1,T1,EU\n");

        AssertFields(rows.Single(), "T1", "C1", "P1", "2024-05-01", "2", "20.00", "web");
    }

    [Fact]
    public void Should_report_missing_columns_from_the_header()
    {
        using var reader = new SalesCsvReader(new StringReader("transaction_id,product_id,quantity\nT1,P1,2\n"));

        var resolution = reader.ReadHeader();

        Assert.Null(resolution.Header);
        Assert.Equal(["customer_id", "sale_date", "total_price", "sales_channel"], resolution.MissingColumns);
    }

    [Theory]
    [InlineData(Header)]
    [InlineData(Header + "\n")]
    [InlineData(Header + "\r\n\r\n\n")]
    public void Should_read_no_row_from_a_header_only_file(string text)
    {
        Assert.Empty(ReadAll(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("\r\n\r\n")]
    [InlineData("  \n\t\n")]
    public void Should_refuse_a_file_without_header(string text)
    {
        using var reader = new SalesCsvReader(new StringReader(text));

        var error = Assert.Throws<SalesFileException>(() => reader.ReadHeader());
        Assert.Contains("no header", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_an_empty_stream()
    {
        using var reader = new SalesCsvReader(new StreamReader(new MemoryStream([])));

        Assert.Throws<SalesFileException>(() => reader.ReadHeader());
    }

    [Fact]
    public void Should_read_the_header_once_when_rows_are_read_without_asking_for_it()
    {
        using var reader = new SalesCsvReader(new StringReader(Header + "\nT1,C1,P1,2024-05-01,2,20.00,web\n"));
        var header = SalesHeader.Resolve(Header.Split(',')).Header!;

        var rows = reader.ReadRows(header).ToList();

        Assert.Equal("T1", rows.Single().TransactionId);
        Assert.Equal(0, reader.ReadHeader().Header!.TransactionId);
    }

    [Fact]
    public void Should_stream_many_records_with_their_lines()
    {
        using var reader = new SalesCsvReader(
            new GeneratedFile(Header, 100_000, i => $"T{i},C{i % 7},P{i % 3},2024-05-01,{(i % 5) + 1},9.99,web"));
        var header = reader.ReadHeader().Header!;

        var count = 0;
        RawSale? last = null;
        foreach (var row in reader.ReadRows(header))
        {
            count++;
            if (row.SourceLine != count + 1 || row.Malformed)
                Assert.Fail($"Row {count} came with line {row.SourceLine}, malformed: {row.Malformed}.");
            last = row;
        }

        Assert.Equal(100_000, count);
        Assert.Equal("T99999", last!.TransactionId);
    }

    /// <summary>A text reader that makes its lines as they are read, so no test string holds the whole file.</summary>
    private sealed class GeneratedFile(string header, int rows, Func<int, string> row) : TextReader
    {
        private string current = header + "\n";
        private int position;
        private int next;

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Read(Span<char> buffer)
        {
            if (position == current.Length)
            {
                if (next == rows)
                    return 0;
                current = row(next++) + "\n";
                position = 0;
            }
            var length = Math.Min(buffer.Length, current.Length - position);
            current.AsSpan(position, length).CopyTo(buffer);
            position += length;
            return length;
        }
    }

    // DATA_CONTRACT_NOTES.md: a header with bad quoting fails the file instead of guessing the columns.
    [Theory]
    [InlineData("transaction_id,customer_id,\"product_id\"x,sale_date,quantity,total_price,sales_channel\nT1,C1,P1,2024-05-01,2,20.00,web\n")]
    [InlineData("transaction_id,customer_id,product\"_id,sale_date,quantity,total_price,sales_channel\nT1,C1,P1,2024-05-01,2,20.00,web\n")]
    public void Should_refuse_a_header_with_bad_quoting(string text)
    {
        using var reader = new SalesCsvReader(new StringReader(text));

        var error = Assert.Throws<SalesFileException>(() => reader.ReadHeader());
        Assert.Contains("header row is malformed", error.Message, StringComparison.Ordinal);
    }

    // DATA_CONTRACT_NOTES.md: CR alone ends a line like LF and CRLF, inside quotes too for source_line.
    [Fact]
    public void Should_end_lines_at_a_lone_carriage_return_and_count_them()
    {
        var rows = ReadAll(Header + "\rT1,C1,P1,2024-05-01,2,20.00,web\r\rT2,C1,P1,2024-05-01,2,20.00,\"a\rb\"\rT3,C1,P1,2024-05-01,2,20.00,web");

        Assert.Equal([2L, 4L, 6L], rows.Select(r => r.SourceLine));
        AssertFields(rows[1], "T2", "C1", "P1", "2024-05-01", "2", "20.00", "a\rb");
        Assert.Equal("T2,C1,P1,2024-05-01,2,20.00,\"a\rb\"", rows[1].RawText);
    }
}
