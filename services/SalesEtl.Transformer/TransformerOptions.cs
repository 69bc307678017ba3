using System.ComponentModel.DataAnnotations;

namespace SalesEtl.Transformer;

/// <summary>Section <c>Transformer</c>.</summary>
public sealed class TransformerOptions
{
    public const string Section = "Transformer";

    /// <summary>SPEC §1 price outlier threshold (relative deviation of the unit price from the base price).</summary>
    [Range(0.0, 1000.0)] public decimal PriceOutlierThreshold { get; set; } = 0.5m;

    /// <summary>Chunks transformed at once by one process.</summary>
    [Range(1, 64)] public int ConcurrentChunks { get; set; } = 2;
}
