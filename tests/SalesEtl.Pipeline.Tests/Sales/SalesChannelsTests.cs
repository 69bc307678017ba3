using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Pipeline.Tests.Sales;

public class Canonicalizing_a_sales_channel
{
    [Theory]
    // Every alias of SPEC §1.
    [InlineData("online", "online")]
    [InlineData("web", "online")]
    [InlineData("website", "online")]
    [InlineData("ecommerce", "online")]
    [InlineData("e-commerce", "online")]
    [InlineData("internet", "online")]
    [InlineData("store", "store")]
    [InlineData("in-store", "store")]
    [InlineData("instore", "store")]
    [InlineData("retail", "store")]
    [InlineData("pos", "store")]
    [InlineData("shop", "store")]
    [InlineData("brick and mortar", "store")]
    [InlineData("mobile", "mobile")]
    [InlineData("app", "mobile")]
    [InlineData("mobile app", "mobile")]
    [InlineData("ios", "mobile")]
    [InlineData("android", "mobile")]
    [InlineData("marketplace", "marketplace")]
    [InlineData("amazon", "marketplace")]
    [InlineData("ebay", "marketplace")]
    [InlineData("etsy", "marketplace")]
    [InlineData("phone", "phone")]
    [InlineData("telephone", "phone")]
    [InlineData("call center", "phone")]
    [InlineData("call centre", "phone")]
    // Case, surrounding whitespace, and spaces, '-' and '_' alike.
    [InlineData("Brick-and-Mortar", "store")]
    [InlineData("brick_and_mortar", "store")]
    [InlineData("BRICK  AND  MORTAR", "store")]
    [InlineData("call_centre", "phone")]
    [InlineData("Call-Center", "phone")]
    [InlineData("E-Commerce", "online")]
    [InlineData("e_commerce", "online")]
    [InlineData("E Commerce", "online")]
    [InlineData("mobile_app", "mobile")]
    [InlineData("Mobile-App", "mobile")]
    [InlineData("In Store", "store")]
    [InlineData("in_store", "store")]
    [InlineData("  WEB  ", "online")]
    [InlineData("\tOnline\t", "online")]
    [InlineData("iOS", "mobile")]
    [InlineData("POS", "store")]
    [InlineData("eBay", "marketplace")]
    public void Should_map_every_alias_to_its_canonical_channel(string text, string expected)
    {
        Assert.True(SalesChannels.TryCanonicalize(text, out var canonical));
        Assert.Equal(expected, canonical);
        Assert.Equal(expected, SalesChannels.Canonicalize(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("unknown")]
    [InlineData("fax")]
    [InlineData("on line")]
    [InlineData("onlinee")]
    [InlineData("mobileapp")]
    [InlineData("callcenter")]
    [InlineData("call")]
    [InlineData("e commerce site")]
    [InlineData("amazon.com")]
    [InlineData("web shop")]
    [InlineData("-")]
    [InlineData("a very long channel name that matches nothing at all")]
    [InlineData("\u00A0web")]
    public void Should_give_unknown_for_anything_else(string? text)
    {
        Assert.False(SalesChannels.TryCanonicalize(text, out var canonical));
        Assert.Equal(SalesChannels.Unknown, canonical);
        Assert.Equal("unknown", SalesChannels.Canonicalize(text));
    }

    [Fact]
    public void Should_list_the_canonical_values_of_the_spec()
    {
        Assert.Equal(["online", "store", "mobile", "marketplace", "phone", "unknown"], SalesChannels.All);
    }

    // DATA_CONTRACT_NOTES.md: runs of separators collapse before the length is judged.
    [Theory]
    [InlineData("brick   ---   and   ___   mortar      ", "store")]
    [InlineData("in\t-\tstore", "store")]
    [InlineData("call__centre", "phone")]
    public void Should_collapse_long_runs_of_separators_to_an_alias(string text, string expected)
    {
        Assert.True(SalesChannels.TryCanonicalize(text, out var canonical));
        Assert.Equal(expected, canonical);
    }
}
