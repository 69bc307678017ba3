using SalesEtl.Data.Facts;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Transformer;

/// <summary>The pure part of transforming a chunk: every record becomes a candidate fact or a reject.</summary>
public static class ChunkTransformation
{
    public static (List<NormalizedSale> Candidates, List<RejectedRow> Rejects) Apply(
        IReadOnlyList<RawSale> rows, SaleNormalizer normalizer, DateTimeOffset asOf, IReadOnlyDictionary<string, decimal> basePrices)
    {
        var candidates = new List<NormalizedSale>(rows.Count);
        var rejects = new List<RejectedRow>();
        foreach (var row in rows)
        {
            var outcome = normalizer.Normalize(row, asOf, basePrices);
            if (outcome.Sale is { } sale)
                candidates.Add(sale);
            else
                rejects.Add(new RejectedRow(row.SourceLine, outcome.RejectReason!, row.RawText));
        }
        return (candidates, rejects);
    }
}
