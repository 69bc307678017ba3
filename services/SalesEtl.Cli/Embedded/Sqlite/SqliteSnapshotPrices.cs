using SalesEtl.Data.Products;

namespace SalesEtl.Cli.Embedded.Sqlite;

/// <summary>Base prices of one snapshot's products from SQLite (cents back to decimals).</summary>
public sealed class SqliteSnapshotPrices(SqliteEtlStore store) : ISnapshotPriceSource
{
    public async Task<IReadOnlyDictionary<string, decimal>> LoadAsync(long snapshotId, CancellationToken cancellationToken)
    {
        var prices = new Dictionary<string, decimal>(StringComparer.Ordinal);
        await using var connection = await store.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT v.product_id, v.base_price FROM product_versions v WHERE {SnapshotPrices.MembershipCondition.Replace("@snapshot", "$snapshot", StringComparison.Ordinal)}";
        command.Parameters.AddWithValue("$snapshot", snapshotId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            prices[reader.GetString(0)] = SqliteValues.Money(reader.GetInt64(1));
        return prices;
    }
}
