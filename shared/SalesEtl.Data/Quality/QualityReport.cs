namespace SalesEtl.Data.Quality;

/// <summary>The data quality report of one run (SPEC §4), stored as JSON next to its headline counts.</summary>
public sealed class QualityReport
{
    public Guid RunId { get; set; }
    public string Outcome { get; set; } = "";
    public string? Reason { get; set; }
    public long RowsRead { get; set; }
    public long RowsAccepted { get; set; }
    public long RowsRejected { get; set; }
    public long DuplicatesDropped { get; set; }
    public string ReportJson { get; set; } = "{}";
    public DateTimeOffset CreatedAt { get; set; }
}
