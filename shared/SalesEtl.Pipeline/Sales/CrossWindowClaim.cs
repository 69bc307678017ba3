using System.Diagnostics.CodeAnalysis;

namespace SalesEtl.Pipeline.Sales;

/// <summary>
/// Which stream events may claim their transaction id for their window, so that later windows drop the id: as in
/// one file (SPEC §1), only a row that passes the row rules takes part in duplicate detection, and a rejected row
/// claims nothing. A window is closed before its run syncs the product catalog, so the rules that need the catalog
/// (rule 9, an empty price of an unknown product; an imputed price out of range) are taken as passed. That errs on
/// the side of claiming: a row the run accepts has always claimed its id, so no transaction is counted in two windows;
/// the price of it is that such a catalog-rejected row still claims its id (docs/STREAMING.md).
/// </summary>
public static class CrossWindowClaim
{
    static readonly SaleNormalizer Normalizer = new(new SaleNormalizerOptions());

    /// <summary>The transaction id (trimmed) the event claims, or null when its row fails the rules and claims nothing.</summary>
    /// <param name="asOf">The as-of time of the window's run (rule 5).</param>
    public static string? ClaimedId(RawSale row, DateTimeOffset asOf) =>
        Normalizer.Normalize(row, asOf, EveryProductKnown.Instance).Sale?.TransactionId;

    /// <summary>A catalog in which every product exists at base price 0, so the normalizer's catalog rules never reject.</summary>
    sealed class EveryProductKnown : IReadOnlyDictionary<string, decimal>
    {
        public static readonly EveryProductKnown Instance = new();

        public decimal this[string key] => 0m;

        public IEnumerable<string> Keys => [];

        public IEnumerable<decimal> Values => [];

        public int Count => 0;

        public bool ContainsKey(string key) => true;

        public bool TryGetValue(string key, [MaybeNullWhen(false)] out decimal value)
        {
            value = 0m;
            return true;
        }

        public IEnumerator<KeyValuePair<string, decimal>> GetEnumerator() => Enumerable.Empty<KeyValuePair<string, decimal>>().GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
