namespace SalesEtl.Pipeline.Sales;

/// <summary>
/// The normalized content of a sale that duplicate detection compares (SPEC §1 "Edge cases, settled"): not the
/// source line, the flags or extra columns. Amounts compare by value (12.5 equals 12.50).
/// </summary>
public readonly record struct SaleContent(
    string TransactionId,
    string? CustomerId,
    string ProductId,
    DateTime SaleDateUtc,
    int Quantity,
    decimal TotalPrice,
    string Channel)
{
    public static SaleContent Of(NormalizedSale sale)
    {
        ArgumentNullException.ThrowIfNull(sale);
        return new SaleContent(
            sale.TransactionId, sale.CustomerId, sale.ProductId, sale.SaleDateUtc, sale.Quantity, sale.TotalPrice, sale.Channel);
    }
}

/// <summary>What duplicate detection makes of a sale that passed rules 1–9.</summary>
public enum DuplicateKind
{
    /// <summary>The first row with its transaction id.</summary>
    Accepted,

    /// <summary>Equal to an earlier participating row with the same id: dropped and counted (<c>duplicate_exact</c>).</summary>
    DuplicateExact,

    /// <summary>Same id as an earlier row, different content: rejected as <c>duplicate_conflict</c> (rule 10).</summary>
    DuplicateConflict,
}

/// <param name="DuplicateOfLine">
/// For <see cref="DuplicateKind.DuplicateExact"/>, the source line of the earliest participating row it equals; for
/// <see cref="DuplicateKind.DuplicateConflict"/>, the source line of the first row with the same id; null when accepted.
/// </param>
public readonly record struct DuplicateResolution(NormalizedSale Sale, DuplicateKind Kind, long? DuplicateOfLine);

/// <summary>
/// Rule 10 and exact duplicates of SPEC §1 over sales in file order, as a pure reference of what the run does in
/// SQL. Only rows that passed rules 1–9 are given to it (a rejected row claims no transaction id). Conflict rows take
/// part too: a later row equal to a conflict row is an exact duplicate of it, not another conflict.
/// Memory grows with the distinct transaction ids.
/// </summary>
public sealed class DuplicateResolver
{
    // Per transaction id: the distinct contents seen, each with the first line that had it; the first entry is the
    // first occurrence of the id. Most ids have one entry.
    private readonly Dictionary<string, List<(SaleContent Content, long Line)>> seen = new(StringComparer.Ordinal);

    /// <summary>Classifies the next sale in file order.</summary>
    public DuplicateResolution Classify(NormalizedSale sale)
    {
        ArgumentNullException.ThrowIfNull(sale);
        var content = SaleContent.Of(sale);
        if (!seen.TryGetValue(sale.TransactionId, out var contents))
        {
            seen.Add(sale.TransactionId, [(content, sale.SourceLine)]);
            return new DuplicateResolution(sale, DuplicateKind.Accepted, null);
        }
        foreach (var (earlier, line) in contents)
        {
            if (earlier.Equals(content))
                return new DuplicateResolution(sale, DuplicateKind.DuplicateExact, line);
        }
        contents.Add((content, sale.SourceLine));
        return new DuplicateResolution(sale, DuplicateKind.DuplicateConflict, contents[0].Line);
    }

    /// <summary>Classifies sales given in file order, lazily.</summary>
    public static IEnumerable<DuplicateResolution> Resolve(IEnumerable<NormalizedSale> salesInFileOrder)
    {
        ArgumentNullException.ThrowIfNull(salesInFileOrder);
        return Iterate(salesInFileOrder);

        static IEnumerable<DuplicateResolution> Iterate(IEnumerable<NormalizedSale> sales)
        {
            var resolver = new DuplicateResolver();
            foreach (var sale in sales)
                yield return resolver.Classify(sale);
        }
    }
}
