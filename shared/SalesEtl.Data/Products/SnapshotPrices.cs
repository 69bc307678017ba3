using Npgsql;

namespace SalesEtl.Data.Products;

/// <summary>Reads the base prices of the products of one snapshot: what a transformer needs to impute prices and flag outliers.</summary>
public sealed class SnapshotPrices(NpgsqlDataSource dataSource) : ISnapshotPriceSource
{
    /// <summary>SQL condition selecting the versions of snapshot <c>@snapshot</c> from <c>product_versions</c> aliased <c>v</c>.</summary>
    public const string MembershipCondition = "v.valid_from_snapshot <= @snapshot AND (v.valid_to_snapshot IS NULL OR v.valid_to_snapshot > @snapshot)";

    public async Task<IReadOnlyDictionary<string, decimal>> LoadAsync(long snapshotId, CancellationToken cancellationToken)
    {
        var prices = new Dictionary<string, decimal>(StringComparer.Ordinal);
        await using var command = dataSource.CreateCommand($"SELECT v.product_id, v.base_price FROM product_versions v WHERE {MembershipCondition}");
        command.Parameters.AddWithValue("snapshot", snapshotId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            prices[reader.GetString(0)] = reader.GetDecimal(1);
        return prices;
    }
}
