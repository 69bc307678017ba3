namespace SalesEtl.Pipeline.Sales;

/// <summary>The SPEC §1 names of <see cref="SaleFlags"/>, as they appear in reports and tables.</summary>
public static class SaleFlagNames
{
    public const string SignCorrected = "sign_corrected";
    public const string PriceImputed = "price_imputed";
    public const string UnknownChannel = "unknown_channel";
    public const string UnknownProduct = "unknown_product";
    public const string PriceOutlier = "price_outlier";

    /// <summary>Every single flag, in SPEC order.</summary>
    public static IReadOnlyList<SaleFlags> AllFlags { get; } =
        [SaleFlags.SignCorrected, SaleFlags.PriceImputed, SaleFlags.UnknownChannel, SaleFlags.UnknownProduct, SaleFlags.PriceOutlier];

    /// <summary>Every flag name, in SPEC order.</summary>
    public static IReadOnlyList<string> All { get; } = [SignCorrected, PriceImputed, UnknownChannel, UnknownProduct, PriceOutlier];

    /// <summary>The name of one flag.</summary>
    /// <exception cref="ArgumentOutOfRangeException">None, a combination, or an undefined value.</exception>
    public static string GetName(SaleFlags flag) => flag switch
    {
        SaleFlags.SignCorrected => SignCorrected,
        SaleFlags.PriceImputed => PriceImputed,
        SaleFlags.UnknownChannel => UnknownChannel,
        SaleFlags.UnknownProduct => UnknownProduct,
        SaleFlags.PriceOutlier => PriceOutlier,
        _ => throw new ArgumentOutOfRangeException(nameof(flag), flag, "Not a single sale flag."),
    };

    /// <summary>The names of the flags that are set, in SPEC order; empty for <see cref="SaleFlags.None"/>.</summary>
    public static IReadOnlyList<string> ToNames(SaleFlags flags)
    {
        if (flags == SaleFlags.None)
            return [];
        var names = new List<string>(AllFlags.Count);
        for (var i = 0; i < AllFlags.Count; i++)
        {
            if ((flags & AllFlags[i]) != 0)
                names.Add(All[i]);
        }
        return names;
    }

    /// <summary>The flag of a name (exact, as written by <see cref="GetName"/>).</summary>
    public static bool TryParse(string? name, out SaleFlags flag)
    {
        flag = SaleFlags.None;
        for (var i = 0; i < All.Count; i++)
        {
            if (string.Equals(All[i], name, StringComparison.Ordinal))
            {
                flag = AllFlags[i];
                return true;
            }
        }
        return false;
    }
}
