using System.ComponentModel.DataAnnotations;

namespace SalesEtl.Ingestor;

/// <summary>Section <c>Ingestor</c>, validated at start.</summary>
public sealed class IngestorOptions
{
    public const string Section = "Ingestor";

    [Range(1, 1_000_000)] public int MaxChunkSize { get; set; } = 200_000;

    /// <summary>
    /// The longest record, and so the longest field, in bytes (<c>Ingestor__MaxRecordBytes</c>; default 4 MiB): a longer
    /// record is rejected as <c>malformed_row</c> and reading goes on; a quote never closed past it fails the run.
    /// It bounds the ingestor's memory per file.
    /// </summary>
    [Range(1024, 256 * 1024 * 1024)] public int MaxRecordBytes { get; set; } = 4 * 1024 * 1024;
}
