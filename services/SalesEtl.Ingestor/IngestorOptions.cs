using System.ComponentModel.DataAnnotations;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Ingestor;

/// <summary>Section <c>Ingestor</c>, validated at start.</summary>
public sealed class IngestorOptions : IValidatableObject
{
    public const string Section = "Ingestor";

    [Range(1, 1_000_000)] public int MaxChunkSize { get; set; } = 200_000;

    /// <summary>
    /// The longest record, and so the longest field, in bytes (<c>Ingestor__MaxRecordBytes</c>; default 4 MiB): a longer
    /// record is rejected as <c>malformed_row</c> and reading goes on; a quote never closed past it fails the run.
    /// It bounds the ingestor's memory per file.
    /// </summary>
    [Range(1024, 256 * 1024 * 1024)] public int MaxRecordBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// The size in bytes of the filter that marks the records whose transaction id certainly occurs for the first time
    /// in the file (<c>Ingestor__FirstOccurrenceFilterBytes</c>; default 16 MiB, held while a file is read, the same for
    /// every file size): the transformers load those rows' facts at once, and only the other rows take the duplicate
    /// check over the whole run. At 16 MiB about 0.04 % of 10 M distinct ids are falsely taken for repeats (they take the
    /// check, with the same result); 0 turns the filter off, and every row takes the check.
    /// </summary>
    [Range(0, FirstOccurrenceFilter.MaxBytes)] public int FirstOccurrenceFilterBytes { get; set; } = FirstOccurrenceFilter.DefaultBytes;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (FirstOccurrenceFilterBytes is > 0 and < FirstOccurrenceFilter.MinBytes)
            yield return new ValidationResult($"FirstOccurrenceFilterBytes must be 0 (off) or at least {FirstOccurrenceFilter.MinBytes}.", [nameof(FirstOccurrenceFilterBytes)]);
    }
}
