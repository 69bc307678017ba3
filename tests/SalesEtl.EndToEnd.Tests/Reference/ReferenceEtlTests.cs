using System.Globalization;
using System.Text;

namespace SalesEtl.EndToEnd.Tests.Reference;

// Every expected value below was worked out by hand from the literal input next to it; the
// arithmetic is in the comments. None is computed by the code under test.

public sealed class Reading_a_sales_csv
{
    private static List<CsvRecord> Parse(string text) => [.. ReferenceCsvReader.Parse(text)];

    [Fact]
    public void Should_number_records_by_the_physical_line_where_they_start_and_skip_blank_lines()
    {
        var records = Parse("h1,h2\n\na,b\n\"x\ny\",z\n\n\nc,d");

        Assert.Equal([1L, 3L, 4L, 8L], records.Select(r => r.SourceLine));
        Assert.Equal(["x\ny", "z"], records[2].Fields!);
        Assert.Equal("\"x\ny\",z", records[2].RawText);
        Assert.Equal(["c", "d"], records[3].Fields!);
    }

    [Fact]
    public void Should_read_quoted_commas_doubled_quotes_and_empty_fields()
    {
        var records = Parse("a,b,c\n\"1,5\",\"say \"\"hi\"\"\",\n\"\",,x\n");

        Assert.Equal(["1,5", "say \"hi\"", ""], records[1].Fields!);
        Assert.Equal(["", "", "x"], records[2].Fields!);
        Assert.Equal(3, records.Count);
    }

    [Fact]
    public void Should_end_records_at_CRLF_and_keep_a_CRLF_inside_quotes()
    {
        var records = Parse("a,b\r\n1,\"two\r\nlines\"\r\n\r\n3,4\r\n");

        Assert.Equal([1L, 2L, 5L], records.Select(r => r.SourceLine));
        Assert.Equal(["1", "two\r\nlines"], records[1].Fields!);
        Assert.Equal("1,\"two\r\nlines\"", records[1].RawText);
        Assert.Equal("3,4", records[2].RawText);
    }

    // DATA_CONTRACT_NOTES.md: a CR alone ends a line (as in CsvHelper), and counts as one inside quotes too.
    [Fact]
    public void Should_end_a_line_at_a_lone_CR()
    {
        var records = Parse("a,b\r1,x\ry\r\r2,\"p\rq\"\r3,4");

        Assert.Equal([["1", "x"], ["y"], ["2", "p\rq"], ["3", "4"]], records.Skip(1).Select(r => r.Fields));
        Assert.Equal([2L, 3L, 5L, 7L], records.Skip(1).Select(r => r.SourceLine));
        Assert.Equal("y", records[2].RawText);
    }

    // DATA_CONTRACT_NOTES.md: a malformed spot spoils the record, not the reading of the next fields (CsvHelper's rule).
    [Fact]
    public void Should_mark_text_after_a_closing_quote_as_malformed_and_read_on_by_the_field_rules()
    {
        var records = Parse("a,b\n\"x\"y,\"z\"\n1,2\n\"p\"q,\"multi\nline\"\n3,4\n");

        Assert.True(records[1].IsMalformed);
        Assert.Equal("\"x\"y,\"z\"", records[1].RawText);
        Assert.Equal(3L, records[2].SourceLine);
        Assert.Equal(["1", "2"], records[2].Fields!);
        // The next field opens quoting again, so this malformed record spans two lines.
        Assert.True(records[3].IsMalformed);
        Assert.Equal("\"p\"q,\"multi\nline\"", records[3].RawText);
        Assert.Equal([4L, 6L], records.Skip(3).Select(r => r.SourceLine));
    }

    [Fact]
    public void Should_mark_a_quote_inside_an_unquoted_field_as_malformed()
    {
        var records = Parse("a,b\nab\"c,d\n x\"y\",z\nok,1\n");

        Assert.True(records[1].IsMalformed);
        Assert.Equal("ab\"c,d", records[1].RawText);
        // A field is quoted only when its first character is a quote: ` x"y"` is not.
        Assert.True(records[2].IsMalformed);
        Assert.Equal([2L, 3L, 4L], records.Skip(1).Select(r => r.SourceLine));
        Assert.False(records[3].IsMalformed);
    }

    [Fact]
    public void Should_read_an_unterminated_quote_as_one_malformed_record_to_the_end_of_the_file()
    {
        var records = Parse("a,b\n1,\"open\n2,3\n");

        Assert.Equal(2, records.Count);
        Assert.True(records[1].IsMalformed);
        Assert.Equal("1,\"open\n2,3", records[1].RawText);
    }

    // DATA_CONTRACT_NOTES.md: a line of only spaces and TABs is blank (it used to be a malformed record here).
    [Theory]
    [InlineData("a,b\n  \n1,2\n")]
    [InlineData("a,b\n\t \t\r\n1,2\n")]
    [InlineData("a,b\n \r1,2\n")]
    public void Should_skip_a_line_of_spaces_and_tabs_as_blank(string text)
    {
        var records = Parse(text);

        Assert.Equal(2, records.Count);
        Assert.Equal(["1", "2"], records[1].Fields!);
        Assert.Equal(3L, records[1].SourceLine);
    }

    [Fact]
    public void Should_skip_trailing_spaces_at_the_end_of_the_file_and_keep_other_whitespace_lines()
    {
        var records = Parse("a,b\n\u000B\n1,2\n   ");

        // A vertical tab is not blank: that line is a one-field record.
        Assert.Equal([["\u000B"], ["1", "2"]], records.Skip(1).Select(r => r.Fields));
    }

    [Fact]
    public void Should_drop_a_BOM_before_the_header()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("s.csv", "\uFEFFa,b\n1,2\n");

        var records = Parse(ReferenceCsvReader.ReadAllText(path));

        Assert.Equal(["a", "b"], records[0].Fields!);
    }
}

public sealed class Matching_the_header
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Should_match_names_case_insensitively_after_trimming_in_any_order_and_ignore_extra_columns()
    {
        using var dir = new TempDirectory();
        var sales = dir.Write("s.csv",
            "\uFEFF Sales_Channel ,NOTES,Total_Price,quantity,SALE_DATE,Product_ID,customer_id,Transaction_Id\r\n" +
            "web,\"free, text\",12.50,1,2026-11-01,p1,C1,T1\r\n");
        var products = dir.Write("p.json", """[{"product_id":"P1","base_price":12.5}]""");

        var r = ReferenceEtl.Run(sales, products, AsOf);

        var sale = Assert.Single(r.Accepted);
        Assert.Equal(new AcceptedSale(2, "T1", "C1", "P1", new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc), 1, 12.50m, "online", SaleFlags.None), sale);
    }

    [Fact]
    public void Should_fail_the_run_naming_every_missing_column()
    {
        using var dir = new TempDirectory();
        var sales = dir.Write("s.csv", "transaction_id,customer,product_id,sale_date,qty,total_price,sales_channel\nT1,C1,P1,2026-11-01,1,1,web\n");
        var products = dir.Write("p.json", "[]");

        var e = Assert.Throws<MissingColumnsException>(() => ReferenceEtl.Run(sales, products, AsOf));

        Assert.Equal(["customer_id", "quantity"], e.Missing);
        Assert.Contains("customer_id", e.Message, StringComparison.Ordinal);
        Assert.Contains("quantity", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_use_the_first_of_two_columns_with_the_same_name_and_skip_a_line_of_spaces()
    {
        using var dir = new TempDirectory();
        var sales = dir.Write("s.csv",
            "transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel,QUANTITY\n" +
            "T1,C1,P1,2026-11-01,2,20.00,web,7\n" +
            "   \n");
        var products = dir.Write("p.json", """[{"product_id":"P1","base_price":10}]""");

        var r = ReferenceEtl.Run(sales, products, AsOf);

        Assert.Equal(2, Assert.Single(r.Accepted).Quantity);
        Assert.Empty(r.Rejects);
        Assert.Equal(1, r.Quality.RowsRead);
    }

    // DATA_CONTRACT_NOTES.md: no header row is its own failure, not "every column missing".
    [Theory]
    [InlineData("")]
    [InlineData("\uFEFF")]
    [InlineData("\n \t\r\n\n")]
    public void Should_fail_a_file_without_header_row(string text)
    {
        using var dir = new TempDirectory();
        var sales = dir.Write("s.csv", text);
        var products = dir.Write("p.json", "[]");

        var e = Assert.Throws<UnreadableSalesFileException>(() => ReferenceEtl.Run(sales, products, AsOf));

        Assert.Contains("no header row", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_fail_a_header_with_bad_quoting()
    {
        using var dir = new TempDirectory();
        var sales = dir.Write("s.csv", "transaction_id,customer_id,\"product_id\"x,sale_date,quantity,total_price,sales_channel\n");
        var products = dir.Write("p.json", "[]");

        var e = Assert.Throws<UnreadableSalesFileException>(() => ReferenceEtl.Run(sales, products, AsOf));

        Assert.Contains("header row is malformed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_match_header_names_by_ascii_case_only_and_ignore_a_second_bom()
    {
        using var dir = new TempDirectory();
        var sales = dir.Write("s.csv", "\uFEFF\uFEFFTRANSACTION_ID,customer_id,product_id,sale_date,quantity,total_price,sales_channel,transact\u0131on_id\nT1,C1,P1,2026-11-01,2,20.00,web,x\n");
        var products = dir.Write("p.json", "[]");

        Assert.Single(ReferenceEtl.Run(sales, products, AsOf).Accepted);
        var dotless = dir.Write("d.csv", "transact\u0131on_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel\n");
        Assert.Equal(["transaction_id"], Assert.Throws<MissingColumnsException>(() => ReferenceEtl.Run(dotless, products, AsOf)).Missing);
    }

    [Fact]
    public void Should_succeed_with_zero_rows_for_a_header_only_file()
    {
        using var dir = new TempDirectory();
        var sales = dir.Write("s.csv", "transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel\n");
        var products = dir.Write("p.json", "[]");

        var r = ReferenceEtl.Run(sales, products, AsOf);

        Assert.Equal(0, r.Quality.RowsRead);
        Assert.Empty(r.ProductRevenue);
        Assert.Equal([0L, 0L, 0L, 0L], r.CustomerSegments.Select(s => s.Customers));
    }
}

public sealed class Applying_the_row_rules
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    private const string Header = "transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel\n";

    // Line numbers are physical lines: the header is line 1.
    private const string Rows =
        "A1,C1,P1,2026-11-01,1,10.00,web\n" +               // 2  accepted
        "A2,C1,P1,2026-11-01,1,10.00\n" +                   // 3  malformed_row: 6 fields
        ",C1,,bad,0,x,web\n" +                              // 4  missing_transaction_id (3, 4, 7, 8 fail too)
        "A3,C1, ,bad,0,x,web\n" +                           // 5  missing_product_id
        "A4,C1,P1,2026-13-01,0,x,web\n" +                   // 6  invalid_sale_date
        "A5,C1,P1,2026-11-26T00:00:01Z,abc,x,web\n" +       // 7  future_sale_date: 1 s past as-of + 24 h
        "A6,C1,P1,2026-11-26T00:00:00Z,1.5,x,web\n" +       // 8  invalid_quantity (as-of + 24 h exactly is not future)
        "A7,C1,P1,2026-11-01,-0,x,web\n" +                  // 9  zero_quantity
        "A8,C1,P1,2026-11-01,1,12.3.4,web\n" +              // 10 invalid_total_price
        "A9,C1,P404,2026-11-01,1,,web\n" +                  // 11 missing_total_price: unknown product, no price
        "A1,C1,P1,2026-11-01,1,11.00,web\n" +               // 12 duplicate_conflict with line 2
        "A1,C1,P1,11/01/2026,1.0,$10.00,online\n" +         // 13 exact duplicate of line 2 once normalized
        "A1, C1 ,p1,Nov 1, 2026,1,11,WEB\n" +               // 14 malformed: 8 fields (the date's comma is not quoted)
        "A1, C1 ,p1,\"Nov 1, 2026\",1,11,WEB\n" +           // 15 exact duplicate of the conflict on line 12
        "A7,C1,P1,2026-11-01,2,20.00,web\n" +               // 16 accepted: rejected line 9 claimed no id
        "A10,C1,P1,2026-11-26T00:00:00Z,1,10.00,web\n";     // 17 accepted

    private static ReferenceResult Run()
    {
        using var dir = new TempDirectory();
        return ReferenceEtl.Run(dir.Write("s.csv", Header + Rows), dir.Write("p.json", """[{"product_id":"P1","base_price":10}]"""), AsOf);
    }

    [Fact]
    public void Should_reject_each_row_with_the_first_rule_that_fails()
    {
        var r = Run();

        Assert.Equal(
            [
                (3L, "malformed_row"), (4L, "missing_transaction_id"), (5L, "missing_product_id"),
                (6L, "invalid_sale_date"), (7L, "future_sale_date"), (8L, "invalid_quantity"), (9L, "zero_quantity"),
                (10L, "invalid_total_price"), (11L, "missing_total_price"), (12L, "duplicate_conflict"), (14L, "malformed_row"),
            ],
            r.Rejects.Select(x => (x.SourceLine, x.Reason)));
        Assert.Equal("A2,C1,P1,2026-11-01,1,10.00", r.Rejects[0].RawText);
    }

    [Fact]
    public void Should_drop_exact_duplicates_including_a_duplicate_of_a_conflict()
    {
        var r = Run();

        Assert.Equal([new DuplicateRow(13, 2, "A1"), new DuplicateRow(15, 12, "A1")], r.Duplicates);
    }

    [Fact]
    public void Should_accept_the_rest_and_let_a_rejected_row_claim_no_transaction_id()
    {
        var r = Run();

        Assert.Equal([2L, 16L, 17L], r.Accepted.Select(s => s.SourceLine));
        Assert.Equal(20.00m, r.Accepted[1].TotalPrice);
    }

    [Fact]
    public void Should_count_every_row_once_in_the_quality_report()
    {
        var q = Run().Quality;

        // 16 data rows = 3 accepted + 11 rejected + 2 duplicates.
        Assert.Equal(16, q.RowsRead);
        Assert.Equal(3, q.RowsAccepted);
        Assert.Equal(11, q.RowsRejected);
        Assert.Equal(2, q.DuplicatesDropped);
        Assert.Equal(2, q.RejectedByReason["malformed_row"]);
        Assert.All(RejectReasons.All.Skip(1), reason => Assert.Equal(1, q.RejectedByReason[reason]));
        // 11 / 16 = 0.6875
        Assert.Equal(0.687500m, q.RejectRate);
        Assert.Equal(0m, q.UnknownProductRate);
    }
}

public sealed class Normalizing_values
{
    [Theory]
    [InlineData("2026-03-05", "2026-03-05T00:00:00.0000000Z")]
    [InlineData(" 2026-03-05\t", "2026-03-05T00:00:00.0000000Z")]
    [InlineData("2026-03-05 14:30", "2026-03-05T14:30:00.0000000Z")]
    [InlineData("2026-03-05 14:30:15", "2026-03-05T14:30:15.0000000Z")]
    [InlineData("2026-03-05T14:30", "2026-03-05T14:30:00.0000000Z")]
    [InlineData("2026-03-05T14:30:15", "2026-03-05T14:30:15.0000000Z")]
    [InlineData("2026-03-05T14:30:15Z", "2026-03-05T14:30:15.0000000Z")]
    [InlineData("2026-03-05T14:30:15.25Z", "2026-03-05T14:30:15.2500000Z")]
    [InlineData("2026-03-05T14:30:15.1234567", "2026-03-05T14:30:15.1234560Z")]
    [InlineData("2026-03-05T14:30:15.123456789Z", "2026-03-05T14:30:15.1234560Z")]
    [InlineData("2026-03-05T14:30:15+02:00", "2026-03-05T12:30:15.0000000Z")]
    [InlineData("2026-03-05T00:30:00-05:30", "2026-03-05T06:00:00.0000000Z")]
    [InlineData("2026-03-01T01:00:00+02:00", "2026-02-28T23:00:00.0000000Z")]
    [InlineData("2026/03/05", "2026-03-05T00:00:00.0000000Z")]
    [InlineData("03/05/2026", "2026-03-05T00:00:00.0000000Z")]
    [InlineData("3/5/2026", "2026-03-05T00:00:00.0000000Z")]
    [InlineData("12/31/2026", "2026-12-31T00:00:00.0000000Z")]
    [InlineData("05 Mar 2026", "2026-03-05T00:00:00.0000000Z")]
    [InlineData("5 march 2026", "2026-03-05T00:00:00.0000000Z")]
    [InlineData("Mar 05, 2026", "2026-03-05T00:00:00.0000000Z")]
    [InlineData("SEPTEMBER 5, 2026", "2026-09-05T00:00:00.0000000Z")]
    [InlineData("1772719815", "2026-03-05T14:10:15.0000000Z")]
    public void Should_read_every_listed_date_format_as_UTC(string raw, string expectedUtc)
    {
        var parsed = ReferenceValues.ParseSaleDate(raw);

        Assert.NotNull(parsed);
        Assert.Equal(DateTimeKind.Utc, parsed.Value.Kind);
        Assert.Equal(expectedUtc, parsed.Value.ToString("O", CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2026-02-30")]
    [InlineData("2026-3-5")]
    [InlineData("2026-03-05 24:00")]
    [InlineData("2026-03-05 14:30:15.5")]
    [InlineData("2026-03-05T14:30:15+15:00")]
    [InlineData("2026-03-05T14:30:15+0200")]
    [InlineData("2026-03-05T14:30:15.Z")]
    [InlineData("2026-03-05t14:30:15")]
    [InlineData("2026-03-05T14:30:15z")]
    [InlineData("2026-03-05 14:30:15Z")]
    [InlineData("2026/3/5")]
    [InlineData("13/05/2026")]
    [InlineData("05/03/26")]
    [InlineData("Mar 5 2026")]
    [InlineData("5 Sept 2026")]
    [InlineData("177271981")]
    [InlineData("17727198150")]
    public void Should_reject_dates_in_no_listed_format(string raw) => Assert.Null(ReferenceValues.ParseSaleDate(raw));

    [Theory]
    [InlineData("3", 3)]
    [InlineData(" 3 ", 3)]
    [InlineData("3.0", 3)]
    [InlineData("+4", 4)]
    [InlineData("-2", -2)]
    [InlineData("-2.00", -2)]
    [InlineData("-0", 0)]
    [InlineData("0.0", 0)]
    public void Should_read_whole_quantities(string raw, int expected) => Assert.Equal(expected, ReferenceValues.ParseQuantity(raw));

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("2.5")]
    [InlineData("1,000")]
    [InlineData("1e3")]
    [InlineData("3 4")]
    [InlineData("99999999999")]
    [InlineData("1.00000000000000000000000000000001")] // beyond decimal's digits, but still a fraction
    public void Should_refuse_quantities_that_are_not_whole_numbers(string raw) => Assert.Null(ReferenceValues.ParseQuantity(raw));

    [Theory]
    [InlineData("12.50", "12.50")]
    [InlineData("$1,234.50", "1234.50")]
    [InlineData("€ 12", "12.00")]
    [InlineData("£7.5", "7.50")]
    [InlineData("(12.50)", "-12.50")]
    [InlineData("($1,000.00)", "-1000.00")]
    [InlineData("-$3.455", "-3.46")]
    [InlineData("2.345", "2.35")]
    [InlineData("2.344", "2.34")]
    [InlineData("-0.004", "0.00")]
    // DATA_CONTRACT_NOTES.md: "," only between well-formed thousands groups.
    [InlineData("1,234,567", "1234567.00")]
    [InlineData("-1,000.", "-1000.00")]
    [InlineData("1 , 000", "1000.00")]
    public void Should_read_prices_and_round_half_away_from_zero(string raw, string expected)
    {
        Assert.True(ReferenceValues.TryParsePrice(raw, out var price));
        Assert.Equal(expected, ReferenceExport.Money(price));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("12.3.4")]
    [InlineData("N/A")]
    [InlineData("$")]
    [InlineData("(-5)")]
    [InlineData("1e3")]
    [InlineData("12.50 USD")]
    [InlineData("12,50")]
    [InlineData("1,23")]
    [InlineData("1234,567")]
    [InlineData(",100")]
    [InlineData("1,000.50,")]
    [InlineData("1.000,50")]
    [InlineData("1,0000")]
    public void Should_refuse_prices_that_are_not_numbers(string raw) => Assert.False(ReferenceValues.TryParsePrice(raw, out _));

    [Theory]
    [InlineData("web", "online")]
    [InlineData(" WebSite ", "online")]
    [InlineData("E-Commerce", "online")]
    [InlineData("e_commerce", "online")]
    [InlineData("Internet", "online")]
    [InlineData("In Store", "store")]
    [InlineData("in_store", "store")]
    [InlineData("INSTORE", "store")]
    [InlineData("Brick-and-Mortar", "store")]
    [InlineData("POS", "store")]
    [InlineData("Mobile_App", "mobile")]
    [InlineData("iOS", "mobile")]
    [InlineData("Android", "mobile")]
    [InlineData("eBay", "marketplace")]
    [InlineData("Etsy", "marketplace")]
    [InlineData("Call Centre", "phone")]
    [InlineData("call_center", "phone")]
    [InlineData("Telephone", "phone")]
    // DATA_CONTRACT_NOTES.md: runs of separators count as one.
    [InlineData("in--store", "store")]
    [InlineData(" brick _ and\t- mortar ", "store")]
    public void Should_map_channel_aliases(string raw, string expected) => Assert.Equal(expected, ReferenceValues.CanonicalChannel(raw));

    [Theory]
    [InlineData("")]
    [InlineData("fax")]
    [InlineData("unknown")]
    [InlineData("in store front")]
    [InlineData("webshop")]
    public void Should_leave_other_channels_unmapped(string raw) => Assert.Null(ReferenceValues.CanonicalChannel(raw));

    [Fact]
    public void Should_collapse_text_and_title_case_categories()
    {
        Assert.Equal("Big Box", ReferenceValues.CleanText("  Big\t \n Box  "));
        Assert.Null(ReferenceValues.CleanText(" \t "));
        Assert.Equal("Home & Garden", ReferenceValues.TitleCase(ReferenceValues.CleanText("hOME  &  garden")));
        Assert.Equal("T-shirts", ReferenceValues.TitleCase("T-SHIRTS"));
        // A no-break space is not ASCII whitespace: it stays.
        Assert.Equal("\u00A0x", ReferenceValues.TrimAscii(" \u00A0x "));
    }
}

public sealed class Correcting_prices_and_flagging_rows
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    private static ReferenceResult Run(string rows, decimal threshold = 0.5m)
    {
        using var dir = new TempDirectory();
        var sales = dir.Write("s.csv", "transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel\n" + rows);
        var products = dir.Write("p.json", """
            {"items":[
              {"product_id":"P1","base_price":10},
              {"product_id":"Z0","base_price":0}
            ],"page":1,"pageSize":100,"totalCount":2}
            """);
        return ReferenceEtl.Run(sales, products, AsOf, threshold);
    }

    [Fact]
    public void Should_make_the_price_sign_follow_the_quantity()
    {
        var r = Run(
            "S1,C1,P1,2026-11-01,2,-20.00,web\n" +     // sale, negative price → 20.00, corrected
            "S2,C1,P1,2026-11-01,-1,10.00,web\n" +     // return, positive price → -10.00, corrected
            "S3,C1,P1,2026-11-01,-1,(10.00),web\n" +   // return, already negative: unchanged
            "S4,C1,P1,2026-11-01,-1,0.00,web\n" +      // 0.00 is never corrected
            "S5,C1,P1,2026-11-01,1,-0.004,web\n");     // rounds to 0.00 first: not corrected

        Assert.Equal([20.00m, -10.00m, -10.00m, 0.00m, 0.00m], r.Accepted.Select(s => s.TotalPrice));
        Assert.Equal(
            [SaleFlags.SignCorrected, SaleFlags.SignCorrected, SaleFlags.None, SaleFlags.PriceOutlier, SaleFlags.PriceOutlier],
            r.Accepted.Select(s => s.Flags));
    }

    [Fact]
    public void Should_impute_an_empty_price_from_the_base_price()
    {
        var r = Run(
            "I1,C1,p1,2026-11-01,3,,web\n" +           // 3 × 10.00 = 30.00
            "I2,C1,P1,2026-11-01,-2,  ,web\n" +         // -2 × 10.00 = -20.00
            "I3,C1,Z0,2026-11-01,4,,web\n");           // 4 × 0.00 = 0.00

        Assert.Equal([30.00m, -20.00m, 0.00m], r.Accepted.Select(s => s.TotalPrice));
        Assert.All(r.Accepted, s => Assert.Equal(SaleFlags.PriceImputed, s.Flags));
    }

    [Fact]
    public void Should_flag_a_price_outlier_only_strictly_past_the_threshold()
    {
        // Base 10.00, quantity 2: a unit price of 15.00 or 5.00 deviates by exactly 0.5.
        var r = Run(
            "O1,C1,P1,2026-11-01,2,30.00,web\n" +     // |15.00 − 10| / 10 = 0.5: not an outlier
            "O2,C1,P1,2026-11-01,2,30.02,web\n" +     // |15.01 − 10| / 10 = 0.501: outlier
            "O3,C1,P1,2026-11-01,2,10.00,web\n" +     // |5.00 − 10| / 10 = 0.5: not an outlier
            "O4,C1,P1,2026-11-01,-2,-9.98,web\n" +    // |4.99 − 10| / 10 = 0.501: outlier (returns too)
            "O5,C1,Z0,2026-11-01,1,99.00,web\n" +      // base 0: never checked
            "O6,C1,Q9,2026-11-01,1,99.00,web\n");      // unknown product: never checked

        Assert.Equal(
            [SaleFlags.None, SaleFlags.PriceOutlier, SaleFlags.None, SaleFlags.PriceOutlier, SaleFlags.None, SaleFlags.UnknownProduct],
            r.Accepted.Select(s => s.Flags));
    }

    [Fact]
    public void Should_use_the_configured_outlier_threshold()
    {
        // |15.00 − 10| / 10 = 0.5 > 0.2
        var r = Run("O1,C1,P1,2026-11-01,2,30.00,web\n", threshold: 0.2m);

        Assert.Equal(SaleFlags.PriceOutlier, Assert.Single(r.Accepted).Flags);
    }

    [Fact]
    public void Should_map_channels_and_keep_customer_ids_case_sensitive()
    {
        var r = Run(
            "K1,c9,P1,2026-11-01,1,10.00,Brick_and-Mortar\n" +
            "K2,C9,P1,2026-11-01,1,10.00,\n" +
            "K3,,P1,2026-11-01,1,10.00, carrier pigeon \n");

        Assert.Equal(["store", "unknown", "unknown"], r.Accepted.Select(s => s.Channel));
        Assert.Equal([SaleFlags.None, SaleFlags.UnknownChannel, SaleFlags.UnknownChannel], r.Accepted.Select(s => s.Flags));
        Assert.Equal(["C9", "c9"], r.CustomerFrequency.Select(c => c.CustomerId));
        Assert.Null(r.Accepted[2].CustomerId);
    }
}

public sealed class Loading_products
{
    private static ProductLoadResult Load(string json)
    {
        using var dir = new TempDirectory();
        return ReferenceProducts.Load(dir.Write("p.json", json));
    }

    [Fact]
    public void Should_read_a_bare_array_and_the_page_shape_alike()
    {
        var item = """{"product_id":" ab-1 ","product_name":"  Big \t Box ","category":"hOME  &  garden","manufacturer":"","base_price":" 19.999 ","stock_quantity":7}""";

        var fromArray = Load("[" + item + "]");
        var fromPage = Load("""{"items":[""" + item + """],"page":1,"pageSize":50,"totalCount":1}""");

        var expected = new ReferenceProduct("AB-1", "Big Box", "Home & Garden", null, 20.00m, 7);
        Assert.Equal(expected, fromArray.Products["AB-1"]);
        Assert.Equal(expected, fromPage.Products["AB-1"]);
    }

    [Fact]
    public void Should_reject_items_without_id_or_with_a_bad_price_and_count_them()
    {
        var r = Load("""
            [
              {"product_name":"no id","base_price":1},
              {"product_id":"  ","base_price":1},
              {"product_id":null,"base_price":1},
              {"product_id":"N1","base_price":-0.01},
              {"product_id":"N2","base_price":"abc"},
              {"product_id":"N3"},
              {"product_id":"N4","base_price":"$5"},
              {"product_id":"OK","base_price":0}
            ]
            """);

        Assert.Equal(8, r.ItemsRead);
        Assert.Equal(
            [(1, "missing_product_id"), (2, "missing_product_id"), (3, "missing_product_id"), (4, "negative_base_price"),
             (5, "invalid_base_price"), (6, "invalid_base_price"), (7, "invalid_base_price")],
            r.Rejects.Select(x => (x.ItemNo, x.Reason)));
        Assert.Equal(0.00m, Assert.Single(r.Products).Value.BasePrice);
    }

    [Fact]
    public void Should_null_an_invalid_stock_quantity_and_count_it()
    {
        var r = Load("""
            [
              {"product_id":"S1","base_price":1,"stock_quantity":-1},
              {"product_id":"S2","base_price":1,"stock_quantity":2.5},
              {"product_id":"S3","base_price":1,"stock_quantity":"many"},
              {"product_id":"S4","base_price":1,"stock_quantity":true},
              {"product_id":"S5","base_price":1,"stock_quantity":null},
              {"product_id":"S6","base_price":1},
              {"product_id":"S7","base_price":1,"stock_quantity":4.0},
              {"product_id":"S8","base_price":1,"stock_quantity":0}
            ]
            """);

        // S1–S4 are invalid; S5 and S6 have no stock, which is not an error.
        Assert.Equal(4, r.InvalidStockQuantities);
        Assert.Equal([null, null, null, null, null, null, 4, 0], r.Products.Values.OrderBy(p => p.ProductId, StringComparer.Ordinal).Select(p => p.StockQuantity));
    }

    [Fact]
    public void Should_keep_an_earlier_valid_item_when_a_later_one_with_its_id_is_rejected()
    {
        var r = Load("""
            [
              {"product_id":"K1","product_name":"kept","base_price":1,"stock_quantity":"12"},
              {"product_id":"K1","product_name":"bad","base_price":-1},
              {"product_id":42,"product_name":7,"category":true,"base_price":1e1},
              "not an object"
            ]
            """);

        Assert.Equal(0, r.DuplicateIds);
        Assert.Equal(new ReferenceProduct("K1", "kept", null, null, 1.00m, 12), r.Products["K1"]);
        // A numeric id and name are taken as their JSON text; a boolean category is no category.
        Assert.Equal(new ReferenceProduct("42", "7", null, null, 10.00m, null), r.Products["42"]);
        Assert.Equal([(2, "negative_base_price"), (4, "not_an_object")], r.Rejects.Select(x => (x.ItemNo, x.Reason)));
    }

    [Fact]
    public void Should_let_the_later_of_two_items_with_the_same_id_win()
    {
        var r = Load("""
            [
              {"product_id":"D1","product_name":"first","base_price":1},
              {"product_id":"d1 ","product_name":"second","base_price":"2.005"}
            ]
            """);

        Assert.Equal(1, r.DuplicateIds);
        Assert.Equal(new ReferenceProduct("D1", "second", null, null, 2.01m, null), Assert.Single(r.Products).Value);
    }
    // DATA_CONTRACT_NOTES.md: a numeric string base_price may have an exponent, like a JSON number; an empty
    // stock string is no stock; only the kept item's invalid stock is counted.
    [Fact]
    public void Should_read_a_base_price_string_with_an_exponent_and_an_empty_stock_string_as_no_stock()
    {
        var r = Load("""
            [
              {"product_id":"E1","base_price":"1.5e2","stock_quantity":""},
              {"product_id":"E2","base_price":"2e","stock_quantity":"  "},
              {"product_id":"E3","base_price":"1","stock_quantity":"1e2"},
              {"product_id":"E3","base_price":"1","stock_quantity":"3"},
              {"product_id":"E4","base_price":"1","stock_quantity":"2"},
              {"product_id":"E4","base_price":"1","stock_quantity":-2}
            ]
            """);

        Assert.Equal(150.00m, r.Products["E1"].BasePrice);
        Assert.Null(r.Products["E1"].StockQuantity);
        Assert.Equal([(2, "invalid_base_price")], r.Rejects.Select(x => (x.ItemNo, x.Reason)));
        Assert.Equal(3, r.Products["E3"].StockQuantity);
        Assert.Equal(1, r.InvalidStockQuantities);
    }
}

/// <summary>
/// One small run whose every metric is worked out by hand. As-of 2026-03-31.
/// Products: P1 Widget/Tools/Acme 10.00 stock 90; P2 Gadget/Tools/(none) 25.00 stock 5;
/// P3 Gizmo/(none)/Acme 1.50 stock 2; P4 Doohickey/Home &amp; Garden/"Zeta, Inc." 0.00 stock 10;
/// P5 Thing/Home &amp; Garden/"Zeta, Inc." 3.33 stock 0; P6 Spare stock -3 (invalid → null, no inventory row).
/// </summary>
public sealed class Computing_the_metrics_of_a_small_run : IDisposable
{
    public const string Sales =
        "transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel\n" +
        "T1,C1,P1,2026-01-05,2,20.00,web\n" +                        //  2 online  +2  20.00
        "T2,C1,P1,2026-01-15T12:00:00Z,1,10.00,Store\n" +            //  3 store   +1  10.00
        "T3,C1,P2,2026-02-01T01:00:00+02:00,1,25.00,online\n" +      //  4 online  +1  25.00  (2026-01-31T23:00Z)
        "T4,C2,P2,2026-02-10,3,,app\n" +                             //  5 mobile  +3  75.00  imputed 3 × 25.00
        "T5,C2,P1,2026-02-11,-1,10.00,app\n" +                       //  6 mobile  -1 -10.00  sign corrected
        "T6,,P3,2026-03-01,5,7.50,pos\n" +                           //  7 store   +5   7.50  anonymous
        "T7,C3,P1,2026-03-02,-2,-20.00,call-center\n" +              //  8 phone   -2 -20.00
        "T8,\"Smith, J\",P9,2026-03-03,1,7.50,fax\n" +               //  9 unknown +1   7.50  unknown product + channel
        "T9,C5,P1,2026-01-10,1,10.00,web\n" +                        // 10 online
        "T10,C5,P1,2026-01-20,1,10.00,web\n" +                       // 11 online
        "T11,C5,P1,2026-01-30,1,10.00,web\n" +                       // 12 online
        "T12,C5,P1,2026-02-09,1,10.00,web\n" +                       // 13 online
        "T13,C5,P1,2026-02-19,1,30.00,web\n" +                       // 14 online  outlier: |30 − 10| / 10 = 2 > 0.5
        "T14,C1,P1,\"Feb 30, 2026\",1,10.00,web\n" +                 // 15 invalid_sale_date
        "T1,C1, p1 ,2026-01-05T00:00:00Z,2.0,$20.00, WEB \n";        // 16 exact duplicate of line 2

    public const string Products = """
        [
          {"product_id": "P1", "product_name": "Widget", "category": "tools", "manufacturer": "Acme", "base_price": 10, "stock_quantity": 90},
          {"product_id": " p2 ", "product_name": "  Gadget ", "category": "Tools", "base_price": "25", "stock_quantity": 5},
          {"product_id": "P3", "product_name": "Gizmo", "category": "", "manufacturer": "  Acme ", "base_price": 1.5, "stock_quantity": 2},
          {"product_id": "P4", "product_name": "Doohickey", "category": "home   & garden", "manufacturer": "Zeta, Inc.", "base_price": 0, "stock_quantity": 10},
          {"product_id": "P5", "product_name": "Thing", "category": "HOME & GARDEN", "manufacturer": "Zeta,  Inc.", "base_price": 3.333, "stock_quantity": 0},
          {"product_id": "P6", "product_name": "Spare", "category": "Tools", "manufacturer": "Acme", "base_price": 2.00, "stock_quantity": -3}
        ]
        """;

    private static readonly DateTimeOffset AsOf = new(2026, 3, 31, 0, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private ReferenceResult Run() => ReferenceEtl.Run(_dir.Write("sales.csv", Sales), _dir.Write("products.json", Products), AsOf);

    private static DateTime Utc(int month, int day, int hour = 0) => new(2026, month, day, hour, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Should_count_the_quality_report()
    {
        var q = Run().Quality;

        Assert.Equal(15, q.RowsRead);
        Assert.Equal(13, q.RowsAccepted);
        Assert.Equal(1, q.RowsRejected);
        Assert.Equal(1, q.RejectedByReason["invalid_sale_date"]);
        Assert.Equal(1, q.DuplicatesDropped);
        // T5 sign_corrected, T4 price_imputed, T8 unknown_channel and unknown_product, T13 price_outlier.
        Assert.Equal(new Dictionary<string, long>
        {
            ["sign_corrected"] = 1, ["price_imputed"] = 1, ["unknown_channel"] = 1, ["unknown_product"] = 1, ["price_outlier"] = 1,
        }, q.Flags);
        // 1 / 15 = 0.0666666… → 0.066667; 1 / 13 = 0.0769230… → 0.076923
        Assert.Equal(0.066667m, q.RejectRate);
        Assert.Equal(0.076923m, q.UnknownProductRate);
        // 20 + 10 + 25 + 75 − 10 + 7.50 − 20 + 7.50 + 4 × 10 + 30 = 185.00
        Assert.Equal(185.00m, q.NetRevenue);
        Assert.True(q.Reconciles);
        Assert.Equal(
            [
                new ReferenceExpectation("reject_rate", false, "0.066667"),
                new ReferenceExpectation("unknown_product_rate", false, "0.076923"),
                new ReferenceExpectation("no_null_required_columns", true, "0"),
                new ReferenceExpectation("reconciliation", true, "facts 185.00, product_revenue 185.00, channel_performance 185.00"),
            ],
            q.Expectations);
    }

    [Fact]
    public void Should_compute_product_revenue()
    {
        // P1: T1 T2 T5 T7 T9–T13 = 9 rows; units 2+1−1−2+5 = 5; gross 20+10+4×10+30 = 100; returns 10+20 = 30; net 70
        //     share 70 / 185 = 0.3783783… → 0.378378
        // P2: T3 T4; units 4; gross 25+75 = 100; net 100; share 100 / 185 = 0.5405405… → 0.540541
        // P3: T6; units 5; 7.50; share 7.5 / 185 = 0.0405405… → 0.040541; P9 likewise, unknown product
        // Rank by net desc: P2 100, P1 70, then P3 and P9 tie at 7.50 and go by product_id.
        Assert.Equal(
            [
                new ProductRevenueRow("P1", "Widget", "Tools", "Acme", 9, 5, 100.00m, 30.00m, 70.00m, 0.378378m, 2),
                new ProductRevenueRow("P2", "Gadget", "Tools", null, 2, 4, 100.00m, 0.00m, 100.00m, 0.540541m, 1),
                new ProductRevenueRow("P3", "Gizmo", null, "Acme", 1, 5, 7.50m, 0.00m, 7.50m, 0.040541m, 3),
                new ProductRevenueRow("P9", null, null, null, 1, 1, 7.50m, 0.00m, 7.50m, 0.040541m, 4),
            ],
            Run().ProductRevenue);
    }

    [Fact]
    public void Should_compute_channel_performance_and_months()
    {
        var r = Run();

        // mobile: T4 75 + T5 −10 = 65; 1 order of 75 → 75.00; C2; 65 / 185 = 0.3513513… → 0.351351
        // online: T1 T3 T9–T13: units 2+1+4+1 = 8; net 20+25+40+30 = 115; 7 orders, 115 / 7 = 16.428… → 16.43;
        //         C1, C5; 115 / 185 = 0.6216216… → 0.621622
        // phone:  T7 only, a return: no order → null; −20 / 185 = −0.1081081… → −0.108108
        // store:  T2 10 + T6 7.50 = 17.50; 2 orders → 8.75; C1 only (T6 is anonymous); 17.5 / 185 = 0.0945945… → 0.094595
        // unknown: T8 7.50; 7.50; "Smith, J"; 0.040541
        Assert.Equal(
            [
                new ChannelPerformanceRow("mobile", 2, 2, 65.00m, 75.00m, 1, 0.351351m),
                new ChannelPerformanceRow("online", 7, 8, 115.00m, 16.43m, 2, 0.621622m),
                new ChannelPerformanceRow("phone", 1, -2, -20.00m, null, 1, -0.108108m),
                new ChannelPerformanceRow("store", 2, 6, 17.50m, 8.75m, 1, 0.094595m),
                new ChannelPerformanceRow("unknown", 1, 1, 7.50m, 7.50m, 1, 0.040541m),
            ],
            r.ChannelPerformance);

        // online 2026-01: T1 20 + T3 25 (31 Jan 23:00 UTC) + T9 T10 T11 30 = 75; 2026-02: T12 10 + T13 30 = 40
        Assert.Equal(
            [
                new ChannelMonthlyRow("mobile", "2026-02", 2, 65.00m),
                new ChannelMonthlyRow("online", "2026-01", 5, 75.00m),
                new ChannelMonthlyRow("online", "2026-02", 2, 40.00m),
                new ChannelMonthlyRow("phone", "2026-03", 1, -20.00m),
                new ChannelMonthlyRow("store", "2026-01", 1, 10.00m),
                new ChannelMonthlyRow("store", "2026-03", 1, 7.50m),
                new ChannelMonthlyRow("unknown", "2026-03", 1, 7.50m),
            ],
            r.ChannelMonthly);
    }

    [Fact]
    public void Should_compute_customer_frequency_and_segments()
    {
        var r = Run();

        // C1: T1 5 Jan, T2 15 Jan 12:00, T3 31 Jan 23:00; 26 d 23 h = 26.958333 d over 2 gaps → 13.4791666… → 13.479167;
        //     20 + 10 + 25 = 55
        // C2: T4 purchase, T5 return; 75 − 10 = 65
        // C3: T7 return only: no purchase dates; −20
        // C5: 10 Jan … 19 Feb = 40 d over 4 gaps = 10; 4 × 10 + 30 = 70
        // "Smith, J": T8; 7.50. The anonymous T6 is left out.
        Assert.Equal(
            [
                new CustomerFrequencyRow("C1", 3, 0, Utc(1, 5), Utc(1, 31, 23), 55.00m, 13.479167m, "occasional"),
                new CustomerFrequencyRow("C2", 1, 1, Utc(2, 10), Utc(2, 10), 65.00m, null, "one_time"),
                new CustomerFrequencyRow("C3", 0, 1, null, null, -20.00m, null, "returns_only"),
                new CustomerFrequencyRow("C5", 5, 0, Utc(1, 10), Utc(2, 19), 70.00m, 10.000000m, "frequent"),
                new CustomerFrequencyRow("Smith, J", 1, 0, Utc(3, 3), Utc(3, 3), 7.50m, null, "one_time"),
            ],
            r.CustomerFrequency);
        Assert.Equal(
            [
                new CustomerSegmentRow("frequent", 1), new CustomerSegmentRow("occasional", 1),
                new CustomerSegmentRow("one_time", 2), new CustomerSegmentRow("returns_only", 1),
            ],
            r.CustomerSegments);
    }

    [Fact]
    public void Should_compute_the_inventory_tables()
    {
        var r = Run();

        // P1 90 × 10.00 = 900.00; 5 / (5 + 90) = 0.0526315… → 0.052632
        // P2 5 × 25.00 = 125.00; 4 / 9 = 0.444444
        // P3 2 × 1.50 = 3.00; 5 / 7 = 0.7142857… → 0.714286
        // P4 10 × 0.00; 0 / 10 = 0
        // P5 0 × 3.33 (3.333 rounded); 0 / 0 → null.  P6's stock is invalid: no row.
        Assert.Equal(
            [
                new InventoryValuationRow("P1", "Widget", "Tools", "Acme", 90, 10.00m, 900.00m, 5, 0.052632m),
                new InventoryValuationRow("P2", "Gadget", "Tools", null, 5, 25.00m, 125.00m, 4, 0.444444m),
                new InventoryValuationRow("P3", "Gizmo", null, "Acme", 2, 1.50m, 3.00m, 5, 0.714286m),
                new InventoryValuationRow("P4", "Doohickey", "Home & Garden", "Zeta, Inc.", 10, 0.00m, 0.00m, 0, 0.000000m),
                new InventoryValuationRow("P5", "Thing", "Home & Garden", "Zeta, Inc.", 0, 3.33m, 0.00m, 0, null),
            ],
            r.InventoryValuation);

        // Tools: P1 + P2: stock 95, value 1025.00, units 9; 9 / 104 = 0.0865384… → 0.086538
        Assert.Equal(
            [
                new InventoryGroupRow(null, 1, 2, 3.00m, 5, 0.714286m),
                new InventoryGroupRow("Home & Garden", 2, 10, 0.00m, 0, 0.000000m),
                new InventoryGroupRow("Tools", 2, 95, 1025.00m, 9, 0.086538m),
            ],
            r.InventoryByCategory);

        // Acme: P1 + P3: stock 92, value 903.00, units 10; 10 / 102 = 0.0980392… → 0.098039
        Assert.Equal(
            [
                new InventoryGroupRow(null, 1, 5, 125.00m, 4, 0.444444m),
                new InventoryGroupRow("Acme", 2, 92, 903.00m, 10, 0.098039m),
                new InventoryGroupRow("Zeta, Inc.", 2, 10, 0.00m, 0, 0.000000m),
            ],
            r.InventoryByManufacturer);
    }

    [Fact]
    public void Should_write_the_export_byte_for_byte()
    {
        var outDir = Path.Combine(_dir.Path, "export");

        ReferenceEtl.WriteExport(Run(), outDir);

        string Read(string name) => File.ReadAllText(Path.Combine(outDir, name));
        Assert.Equal(ReferenceExport.FileNames.Order(StringComparer.Ordinal), Directory.GetFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("""
            product_id,product_name,category,manufacturer,transactions,units_sold,gross_revenue,returns_value,net_revenue,revenue_share,rank
            P1,Widget,Tools,Acme,9,5,100.00,30.00,70.00,0.378378,2
            P2,Gadget,Tools,,2,4,100.00,0.00,100.00,0.540541,1
            P3,Gizmo,,Acme,1,5,7.50,0.00,7.50,0.040541,3
            P9,,,,1,1,7.50,0.00,7.50,0.040541,4

            """, Read("product_revenue.csv"));
        Assert.Equal("""
            channel,transactions,units_sold,net_revenue,avg_order_value,distinct_customers,revenue_share
            mobile,2,2,65.00,75.00,1,0.351351
            online,7,8,115.00,16.43,2,0.621622
            phone,1,-2,-20.00,,1,-0.108108
            store,2,6,17.50,8.75,1,0.094595
            unknown,1,1,7.50,7.50,1,0.040541

            """, Read("channel_performance.csv"));
        Assert.Equal("""
            channel,month,transactions,net_revenue
            mobile,2026-02,2,65.00
            online,2026-01,5,75.00
            online,2026-02,2,40.00
            phone,2026-03,1,-20.00
            store,2026-01,1,10.00
            store,2026-03,1,7.50
            unknown,2026-03,1,7.50

            """, Read("channel_monthly.csv"));
        Assert.Equal("""
            customer_id,purchases,returns,first_purchase,last_purchase,total_spent,avg_days_between_purchases,segment
            C1,3,0,2026-01-05T00:00:00Z,2026-01-31T23:00:00Z,55.00,13.479167,occasional
            C2,1,1,2026-02-10T00:00:00Z,2026-02-10T00:00:00Z,65.00,,one_time
            C3,0,1,,,-20.00,,returns_only
            C5,5,0,2026-01-10T00:00:00Z,2026-02-19T00:00:00Z,70.00,10.000000,frequent
            "Smith, J",1,0,2026-03-03T00:00:00Z,2026-03-03T00:00:00Z,7.50,,one_time

            """, Read("customer_frequency.csv"));
        Assert.Equal("""
            segment,customers
            frequent,1
            occasional,1
            one_time,2
            returns_only,1

            """, Read("customer_segments.csv"));
        Assert.Equal("""
            product_id,product_name,category,manufacturer,stock_quantity,base_price,stock_value,units_sold,sell_through
            P1,Widget,Tools,Acme,90,10.00,900.00,5,0.052632
            P2,Gadget,Tools,,5,25.00,125.00,4,0.444444
            P3,Gizmo,,Acme,2,1.50,3.00,5,0.714286
            P4,Doohickey,Home & Garden,"Zeta, Inc.",10,0.00,0.00,0,0.000000
            P5,Thing,Home & Garden,"Zeta, Inc.",0,3.33,0.00,0,

            """, Read("inventory_valuation.csv"));
        Assert.Equal("""
            category,products,stock_quantity,stock_value,units_sold,sell_through
            ,1,2,3.00,5,0.714286
            Home & Garden,2,10,0.00,0,0.000000
            Tools,2,95,1025.00,9,0.086538

            """, Read("inventory_by_category.csv"));
        Assert.Equal("""
            manufacturer,products,stock_quantity,stock_value,units_sold,sell_through
            ,1,5,125.00,4,0.444444
            Acme,2,92,903.00,10,0.098039
            "Zeta, Inc.",2,10,0.00,0,0.000000

            """, Read("inventory_by_manufacturer.csv"));
        Assert.Equal("""
            source_line,reason,raw_text
            15,invalid_sale_date,"T14,C1,P1,""Feb 30, 2026"",1,10.00,web"

            """, Read("rejects.csv"));
    }

    [Fact]
    public void Should_write_UTF8_without_BOM_and_LF_line_ends()
    {
        var outDir = Path.Combine(_dir.Path, "export");

        ReferenceEtl.WriteExport(Run(), outDir);

        foreach (var name in ReferenceExport.FileNames)
        {
            var bytes = File.ReadAllBytes(Path.Combine(outDir, name));
            Assert.False(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble), name);
            Assert.DoesNotContain((byte)'\r', bytes);
            Assert.Equal((byte)'\n', bytes[^1]);
        }
    }
}

public sealed class Formatting_export_values
{
    [Fact]
    public void Should_quote_only_fields_with_a_comma_quote_CR_or_LF()
    {
        Assert.Equal("plain text", ReferenceExport.Text("plain text"));
        Assert.Equal(" padded ", ReferenceExport.Text(" padded "));
        Assert.Equal("\"a,b\"", ReferenceExport.Text("a,b"));
        Assert.Equal("\"say \"\"hi\"\"\"", ReferenceExport.Text("say \"hi\""));
        Assert.Equal("\"two\r\nlines\"", ReferenceExport.Text("two\r\nlines"));
        Assert.Equal("\"one\nline\"", ReferenceExport.Text("one\nline"));
        Assert.Equal("", ReferenceExport.Text(null));
    }

    [Fact]
    public void Should_format_numbers_with_fixed_decimals()
    {
        Assert.Equal("-1234.50", ReferenceExport.Money(-1234.5m));
        Assert.Equal("0.00", ReferenceExport.Money(-0.00m));
        Assert.Equal("", ReferenceExport.Money(null));
        Assert.Equal("-0.108108", ReferenceExport.Ratio(-0.1081081081m));
        Assert.Equal("1.000000", ReferenceExport.Ratio(1m));
        Assert.Equal("-17", ReferenceExport.Int(-17));
        // Seconds are cut, not rounded.
        Assert.Equal("2026-03-05T14:30:15Z", ReferenceExport.Timestamp(new DateTime(2026, 3, 5, 14, 30, 15, 900, DateTimeKind.Utc)));
    }

    [Fact]
    public void Should_round_ratios_half_away_from_zero()
    {
        // 1 / 8 = 0.125 is exact; to 6 places: 0.0000005 → 0.000001; −2.5e-7 → −0.000000 prints as 0.000000
        Assert.Equal(0.000001m, ReferenceValues.RoundRatio(0.0000005m));
        Assert.Equal(-0.000001m, ReferenceValues.RoundRatio(-0.0000005m));
        Assert.Equal("0.000000", ReferenceExport.Ratio(-0.00000025m));
        Assert.Equal(0.333333m, ReferenceValues.Ratio(1, 3));
        Assert.Equal(0.666667m, ReferenceValues.Ratio(2, 3));
        Assert.Null(ReferenceValues.Ratio(5, 0));
    }

    [Fact]
    public void Should_sort_byte_wise_with_nulls_first()
    {
        string?[] keys = ["b", null, "B", "a", "Ä", "Z", "_", "10", "9"];

        var sorted = keys.Order(Utf8Ordinal.Instance);

        Assert.Equal(new string?[] { null, "10", "9", "B", "Z", "_", "a", "b", "Ä" }.AsEnumerable(), sorted);
    }
}

public sealed class Judging_the_quality_expectations
{
    // SPEC §4 defaults: reject rate <= 5 % of rows read, unknown_product rate <= 2 % of rows accepted, judged exactly.
    [Theory]
    [InlineData(100, 5, 95, 0, true, true, "0.050000", "0.000000")]
    [InlineData(1_000_000, 50_001, 949_999, 0, false, true, "0.050001", "0.000000")]
    [InlineData(20_000_001, 1_000_000, 19_000_001, 0, true, true, "0.050000", "0.000000")]
    [InlineData(20_000_000, 1_000_001, 18_999_999, 0, false, true, "0.050000", "0.000000")]
    [InlineData(100, 0, 100, 2, true, true, "0.000000", "0.020000")]
    [InlineData(100, 0, 100, 3, true, false, "0.000000", "0.030000")]
    [InlineData(0, 0, 0, 0, true, true, "0.000000", "0.000000")]
    public void Should_pass_a_rate_up_to_its_threshold_and_observe_zero_over_no_rows(
        long read, long rejected, long accepted, long unknown, bool rejectRatePasses, bool unknownRatePasses, string rejectRate, string unknownRate)
    {
        var flags = new Dictionary<string, long> { ["unknown_product"] = unknown };
        var quality = new ReferenceQuality(read, accepted, rejected, new Dictionary<string, long>(), 0, flags,
            read == 0 ? null : ReferenceValues.Ratio(rejected, read), accepted == 0 ? null : ReferenceValues.Ratio(unknown, accepted), 0m, 0m, 0m);

        Assert.Equal(
            [new ReferenceExpectation("reject_rate", rejectRatePasses, rejectRate), new ReferenceExpectation("unknown_product_rate", unknownRatePasses, unknownRate)],
            quality.Expectations.Take(2));
    }
}
