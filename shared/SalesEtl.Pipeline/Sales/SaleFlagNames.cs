namespace SalesEtl.Pipeline.Sales;

/// <summary>The SPEC §1 names of the accepted-row flags, as reports and exports show them.</summary>
public static class SaleFlagNames
{
    public static string Of(SaleFlags flag) => flag switch
    {
        SaleFlags.SignCorrected => "sign_corrected",
        SaleFlags.PriceImputed => "price_imputed",
        SaleFlags.UnknownChannel => "unknown_channel",
        SaleFlags.UnknownProduct => "unknown_product",
        SaleFlags.PriceOutlier => "price_outlier",
        _ => throw new ArgumentOutOfRangeException(nameof(flag), flag, "Not a single flag."),
    };
}
