using System.ComponentModel.DataAnnotations;

namespace SalesEtl.Ingestor;

/// <summary>Section <c>Ingestor</c>.</summary>
public sealed class IngestorOptions
{
    public const string Section = "Ingestor";

    [Range(1, 1_000_000)] public int MaxChunkSize { get; set; } = 200_000;
}
