namespace SalesEtl.Data.Schema;

/// <summary>The DDL of the bulk tables, embedded so that a migration can apply it.</summary>
public static class BulkTables
{
    public static string CreateSql { get; } = ReadEmbedded("bulk_tables.sql");

    /// <summary>Schema drift and late-arriving products (migration ContractTables).</summary>
    public static string ContractSql { get; } = ReadEmbedded("contract_tables.sql");

    /// <summary>A run's staged records as one payload per chunk, replacing staged_sales (migration StagedChunks).</summary>
    public static string StagedChunksSql { get; } = ReadEmbedded("staged_chunks.sql");

    static string ReadEmbedded(string name)
    {
        var assembly = typeof(BulkTables).Assembly;
        using var stream = assembly.GetManifestResourceStream($"SalesEtl.Data.Schema.{name}")
            ?? throw new InvalidOperationException($"Embedded schema file {name} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
