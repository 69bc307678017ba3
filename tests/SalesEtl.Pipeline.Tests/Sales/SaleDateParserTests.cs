using System.Globalization;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Pipeline.Tests.Sales;

public class Parsing_a_sale_date
{
    [Theory]
    // yyyy-MM-dd: midnight UTC.
    [InlineData("2024-03-05", "2024-03-05T00:00:00.0000000Z")]
    [InlineData("2024-02-29", "2024-02-29T00:00:00.0000000Z")]
    [InlineData("  2024-03-05\t", "2024-03-05T00:00:00.0000000Z")]
    // yyyy-MM-dd HH:mm and yyyy-MM-dd HH:mm:ss.
    [InlineData("2024-03-05 14:30", "2024-03-05T14:30:00.0000000Z")]
    [InlineData("2024-03-05 14:30:15", "2024-03-05T14:30:15.0000000Z")]
    [InlineData("2024-03-05 00:00:00", "2024-03-05T00:00:00.0000000Z")]
    [InlineData("2024-03-05 23:59:59", "2024-03-05T23:59:59.0000000Z")]
    // ISO 8601 with T: optional seconds, fraction, Z or offset.
    [InlineData("2024-03-05T14:30", "2024-03-05T14:30:00.0000000Z")]
    [InlineData("2024-03-05T14:30:15", "2024-03-05T14:30:15.0000000Z")]
    [InlineData("2024-03-05T14:30:15Z", "2024-03-05T14:30:15.0000000Z")]
    [InlineData("2024-03-05T14:30:15.5Z", "2024-03-05T14:30:15.5000000Z")]
    [InlineData("2024-03-05T14:30:15.123", "2024-03-05T14:30:15.1230000Z")]
    // The precision is the microsecond (PostgreSQL's timestamptz): later digits are dropped, not rounded.
    [InlineData("2024-03-05T14:30:15.123456Z", "2024-03-05T14:30:15.1234560Z")]
    [InlineData("2024-03-05T14:30:15.1234567Z", "2024-03-05T14:30:15.1234560Z")]
    [InlineData("2024-03-05T14:30:15.123456789Z", "2024-03-05T14:30:15.1234560Z")]
    [InlineData("2024-03-05T14:30:15.9999999Z", "2024-03-05T14:30:15.9999990Z")]
    [InlineData("2024-03-05T14:30:15+02:00", "2024-03-05T12:30:15.0000000Z")]
    [InlineData("2024-03-05T14:30:15.25+02:00", "2024-03-05T12:30:15.2500000Z")]
    [InlineData("2024-03-05T01:30:00-05:30", "2024-03-05T07:00:00.0000000Z")]
    [InlineData("2024-03-05T23:30:00-01:00", "2024-03-06T00:30:00.0000000Z")]
    [InlineData("2024-01-01T00:30:00+01:00", "2023-12-31T23:30:00.0000000Z")]
    [InlineData("2024-03-05T14:30:15+00:00", "2024-03-05T14:30:15.0000000Z")]
    [InlineData("2024-03-05T14:30:15+14:00", "2024-03-05T00:30:15.0000000Z")]
    // yyyy/MM/dd.
    [InlineData("2024/03/05", "2024-03-05T00:00:00.0000000Z")]
    // MM/dd/yyyy and M/d/yyyy: US order.
    [InlineData("03/05/2024", "2024-03-05T00:00:00.0000000Z")]
    [InlineData("3/5/2024", "2024-03-05T00:00:00.0000000Z")]
    [InlineData("12/31/2024", "2024-12-31T00:00:00.0000000Z")]
    [InlineData("05/13/2024", "2024-05-13T00:00:00.0000000Z")]
    [InlineData("1/05/2024", "2024-01-05T00:00:00.0000000Z")]
    // dd MMM yyyy with abbreviations or names, any case.
    [InlineData("05 Mar 2024", "2024-03-05T00:00:00.0000000Z")]
    [InlineData("5 Mar 2024", "2024-03-05T00:00:00.0000000Z")]
    [InlineData("05 March 2024", "2024-03-05T00:00:00.0000000Z")]
    [InlineData("05 mar 2024", "2024-03-05T00:00:00.0000000Z")]
    [InlineData("05 DECEMBER 2024", "2024-12-05T00:00:00.0000000Z")]
    [InlineData("29 Feb 2024", "2024-02-29T00:00:00.0000000Z")]
    [InlineData("1 Sep 2024", "2024-09-01T00:00:00.0000000Z")]
    // MMM dd, yyyy with abbreviations or names, any case.
    [InlineData("Mar 05, 2024", "2024-03-05T00:00:00.0000000Z")]
    [InlineData("Mar 5, 2024", "2024-03-05T00:00:00.0000000Z")]
    [InlineData("March 5, 2024", "2024-03-05T00:00:00.0000000Z")]
    [InlineData("mar 05, 2024", "2024-03-05T00:00:00.0000000Z")]
    [InlineData("SEPTEMBER 30, 2024", "2024-09-30T00:00:00.0000000Z")]
    // 10-digit Unix epoch seconds.
    [InlineData("1709649015", "2024-03-05T14:30:15.0000000Z")]
    [InlineData("1000000000", "2001-09-09T01:46:40.0000000Z")]
    [InlineData("9999999999", "2286-11-20T17:46:39.0000000Z")]
    public void Should_read_each_accepted_format_as_utc(string text, string expectedRoundTrip)
    {
        Assert.True(SaleDateParser.TryParse(text, out var utc));

        Assert.Equal(DateTimeKind.Utc, utc.Kind);
        Assert.Equal(expectedRoundTrip, utc.ToString("O", CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("yesterday")]
    [InlineData("2024-3-5")]
    [InlineData("2024-03-5")]
    [InlineData("24-03-05")]
    [InlineData("20240305")]
    [InlineData("2024.03.05")]
    [InlineData("05-03-2024")]
    [InlineData("05.03.2024")]
    [InlineData("2024-02-30")]
    [InlineData("2023-02-29")]
    [InlineData("2024-13-01")]
    [InlineData("2024-00-10")]
    [InlineData("2024-01-00")]
    [InlineData("0000-01-01")]
    [InlineData("2024-03-05T")]
    [InlineData("2024-03-05 14")]
    [InlineData("2024-03-05T14:3")]
    [InlineData("2024-03-05T24:00")]
    [InlineData("2024-03-05T14:60")]
    [InlineData("2024-03-05T14:30:60")]
    [InlineData("2024-03-05T14:30:15.")]
    [InlineData("2024-03-05T14:30.5")]
    [InlineData("2024-03-05T14:30:15+2")]
    [InlineData("2024-03-05T14:30:15+02")]
    [InlineData("2024-03-05T14:30:15+0200")]
    [InlineData("2024-03-05T14:30:15+14:01")]
    [InlineData("2024-03-05T14:30:15+02:60")]
    [InlineData("2024-03-05T14:30:15 Z")]
    [InlineData("2024-03-05T14:30:15ZZ")]
    [InlineData("2024-03-05X14:30")]
    [InlineData("2024-03-05x")]
    [InlineData("2024/03/05 14:30")]
    [InlineData("2024/13/05")]
    [InlineData("2024/03/005")]
    [InlineData("13/05/2024")]
    [InlineData("02/30/2024")]
    [InlineData("3/5/24")]
    [InlineData("3/5/02024")]
    [InlineData("005/03/2024")]
    [InlineData("05 Foo 2024")]
    [InlineData("05 Ma 2024")]
    [InlineData("05-Mar-2024")]
    [InlineData("05  Mar 2024")]
    [InlineData("32 Mar 2024")]
    [InlineData("30 Feb 2024")]
    [InlineData("05 Mar, 2024")]
    [InlineData("Mar 05, 24")]
    [InlineData("Mar 05,2024")]
    [InlineData("Marc 05, 2024")]
    [InlineData("Mar 32, 2024")]
    [InlineData("Mar, 05 2024")]
    [InlineData("170964901")]
    [InlineData("17096490150")]
    [InlineData("1709649015.5")]
    [InlineData("-1709649015")]
    [InlineData("+1709649015")]
    [InlineData("1709649015Z")]
    // DATA_CONTRACT_NOTES.md: the SPEC's words, nothing looser.
    [InlineData("2024-03-05t14:30:15")] // the T is upper-case
    [InlineData("2024-03-05T14:30:15z")] // and so is the Z
    [InlineData("2024-03-05 14:30:15Z")] // the space form has no offset
    [InlineData("2024-03-05 14:30:15+02:00")]
    [InlineData("2024-03-05 14:30:15.5")] // nor a fraction
    [InlineData("2024/3/5")] // yyyy/MM/dd has two-digit month and day
    [InlineData("2024/03/5")]
    [InlineData("1 Sept 2024")] // three-letter abbreviations or full names only
    [InlineData("Jan 05 2024")] // MMM dd, yyyy has its comma
    public void Should_refuse_anything_else(string? text)
    {
        Assert.False(SaleDateParser.TryParse(text, out _));
    }

    [Fact]
    public void Should_keep_a_non_breaking_space_as_part_of_the_value()
    {
        Assert.False(SaleDateParser.TryParse("\u00A02024-03-05", out _));
    }
}
