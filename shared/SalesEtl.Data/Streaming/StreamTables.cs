namespace SalesEtl.Data.Streaming;

/// <summary>The DDL of the streaming and inbox tables (migration StreamingTables).</summary>
public static class StreamTables
{
    public static string CreateSql { get; } = ReadEmbedded("stream_tables.sql");

    /// <summary>Window outcomes of an event (column <c>stream_events.outcome</c>).</summary>
    public const string Staged = "staged";

    /// <summary>An earlier window already counted the event's transaction id.</summary>
    public const string DuplicateTransaction = "duplicate_transaction";

    static string ReadEmbedded(string name)
    {
        using var stream = typeof(StreamTables).Assembly.GetManifestResourceStream($"SalesEtl.Data.Schema.{name}")
            ?? throw new InvalidOperationException($"Embedded schema file {name} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
