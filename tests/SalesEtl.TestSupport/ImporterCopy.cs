using Npgsql;
using NpgsqlTypes;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.TestSupport;

/// <summary>
/// fact_sales and transformed_sales rows by Npgsql's binary importer, field for field as TransformedChunkWriter wrote
/// them before it encoded the rows itself (SaleCopyRows): the reference its tests and benchmarks compare with.
/// </summary>
public static class ImporterCopy
{
    public static async Task WriteFactsAsync(NpgsqlConnection connection, string copyCommand, Guid runId, long snapshotId, IReadOnlyList<NormalizedSale> sales)
    {
        await using var importer = await connection.BeginBinaryImportAsync(copyCommand);
        foreach (var sale in sales)
        {
            importer.StartRow();
            importer.Write(runId, NpgsqlDbType.Uuid);
            WriteSale(importer, sale);
            importer.Write(snapshotId, NpgsqlDbType.Bigint);
        }
        await importer.CompleteAsync();
    }

    public static async Task WriteCandidatesAsync(NpgsqlConnection connection, string copyCommand, Guid runId, int chunkNo, IReadOnlyList<NormalizedSale> sales)
    {
        await using var importer = await connection.BeginBinaryImportAsync(copyCommand);
        foreach (var sale in sales)
        {
            importer.StartRow();
            importer.Write(runId, NpgsqlDbType.Uuid);
            importer.Write(chunkNo, NpgsqlDbType.Integer);
            WriteSale(importer, sale);
            importer.Write(sale.RawText, NpgsqlDbType.Text);
        }
        await importer.CompleteAsync();
    }

    static void WriteSale(NpgsqlBinaryImporter importer, NormalizedSale sale)
    {
        importer.Write(sale.SourceLine, NpgsqlDbType.Bigint);
        importer.Write(sale.TransactionId, NpgsqlDbType.Text);
        if (sale.CustomerId is null)
            importer.WriteNull();
        else
            importer.Write(sale.CustomerId, NpgsqlDbType.Text);
        importer.Write(sale.ProductId, NpgsqlDbType.Text);
        importer.Write(sale.SaleDateUtc, NpgsqlDbType.TimestampTz);
        importer.Write(sale.Quantity, NpgsqlDbType.Integer);
        importer.Write(sale.TotalPrice, NpgsqlDbType.Numeric);
        importer.Write(sale.Channel, NpgsqlDbType.Text);
        importer.Write((int)sale.Flags, NpgsqlDbType.Integer);
    }
}
