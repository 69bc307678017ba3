using System.ComponentModel.DataAnnotations;

namespace SalesEtl.Ingestor;

/// <summary>Section <c>Ingestor</c>.</summary>
public sealed class IngestorOptions
{
    public const string Section = "Ingestor";

    /// <summary>Files are only read under these folders (empty: anywhere, for local development).</summary>
    public List<string> AllowedRoots { get; set; } = [];

    [Range(1, 1_000_000)] public int MaxChunkSize { get; set; } = 200_000;
}
