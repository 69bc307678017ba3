using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Pipeline.Tests.Sales;

public class Naming_sale_flags
{
    [Theory]
    [InlineData(SaleFlags.SignCorrected, "sign_corrected")]
    [InlineData(SaleFlags.PriceImputed, "price_imputed")]
    [InlineData(SaleFlags.UnknownChannel, "unknown_channel")]
    [InlineData(SaleFlags.UnknownProduct, "unknown_product")]
    [InlineData(SaleFlags.PriceOutlier, "price_outlier")]
    public void Should_use_the_spec_name_of_each_flag(SaleFlags flag, string name)
    {
        Assert.Equal(name, SaleFlagNames.GetName(flag));
        Assert.True(SaleFlagNames.TryParse(name, out var parsed));
        Assert.Equal(flag, parsed);
    }

    [Fact]
    public void Should_list_the_set_flags_in_spec_order()
    {
        var names = SaleFlagNames.ToNames(SaleFlags.PriceOutlier | SaleFlags.SignCorrected | SaleFlags.UnknownChannel);

        Assert.Equal(["sign_corrected", "unknown_channel", "price_outlier"], names);
    }

    [Fact]
    public void Should_list_no_name_without_flags()
    {
        Assert.Empty(SaleFlagNames.ToNames(SaleFlags.None));
    }

    [Theory]
    [InlineData(SaleFlags.None)]
    [InlineData(SaleFlags.SignCorrected | SaleFlags.PriceImputed)]
    [InlineData((SaleFlags)64)]
    public void Should_refuse_to_name_anything_but_one_flag(SaleFlags flags)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SaleFlagNames.GetName(flags));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Sign_Corrected")]
    [InlineData("none")]
    public void Should_not_parse_unknown_names(string? name)
    {
        Assert.False(SaleFlagNames.TryParse(name, out _));
    }
}
