using Npgsql;

namespace SalesEtl.Data;

public static class NpgsqlScalars
{
    /// <summary>Runs a statement without parameters on the connection (and transaction, if any) and returns its single value.</summary>
    public static async Task<T> ScalarAsync<T>(this NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
