using SalesEtl.Data.Facts;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Transformer;

/// <summary>The pure part of transforming a chunk: every record becomes a candidate fact or a reject.</summary>
public static class ChunkTransformation
{
    /// <summary>
    /// Transforms one record into <paramref name="output"/>: its candidate fact, or its reject. The consumer calls it
    /// for each record as the staged chunk is read, so neither the record nor its candidate outlives this call.
    /// </summary>
    public static void Transform(
        RawSale row, SaleNormalizer normalizer, DateTimeOffset asOf, IReadOnlyDictionary<string, decimal> basePrices, ITransformedChunk output)
    {
        ArgumentNullException.ThrowIfNull(normalizer);
        ArgumentNullException.ThrowIfNull(output);
        var outcome = normalizer.Normalize(row, asOf, basePrices);
        if (outcome.Sale is { } sale)
            output.Accept(sale);
        else
            output.Reject(new RejectedRow(row.SourceLine, outcome.RejectReason!, row.RawText));
    }

    /// <summary>Transforms a chunk already read into a list; the candidates and rejects in line order.</summary>
    public static (IReadOnlyList<NormalizedSale> Candidates, IReadOnlyList<RejectedRow> Rejects) Apply(
        IReadOnlyList<RawSale> rows, SaleNormalizer normalizer, DateTimeOffset asOf, IReadOnlyDictionary<string, decimal> basePrices)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var output = new CollectedChunk(Guid.Empty, 0, 0);
        foreach (var row in rows)
            Transform(row, normalizer, asOf, basePrices, output);
        return (output.CandidateSales, output.Rejects);
    }
}
