namespace SalesEtl.MetricsLoader;

/// <summary>How the metrics-loader reads a run's facts for its metric tables (section <c>MetricsLoader</c>).</summary>
public sealed class MetricsLoaderOptions
{
    public const string Section = "MetricsLoader";

    /// <summary>
    /// Connections that read a run's facts side by side, each a range of source lines (PostgreSQL sends the rows of one
    /// COPY on one core). 2 by default: the machines this runs on have 2 cores or more.
    /// </summary>
    public int FactReaders { get; set; } = 2;

    /// <summary>
    /// Where the customers' rows are spilled in parts while a run's facts are read (about 30 bytes a fact with a
    /// customer, deleted when the run's metrics are written); the system's temporary folder when empty.
    /// </summary>
    public string SpillDirectory { get; set; } = "";

    /// <summary>Facts per part of the customers (a power of two of parts per run): bounds the memory of a part's customers.</summary>
    public int FactsPerCustomerPart { get; set; } = 262_144;

    /// <summary>
    /// Connections that copy a run's customers into <c>customer_frequency</c> side by side, each its share of the parts
    /// in a transaction of its own (PostgreSQL takes the rows of one COPY on one core). 1 by default: on 2 cores a second
    /// writer gained less than the noise (10 M rows: the step 2.6–3.5 → 2.2–3.0 s) for a customer table and buffers
    /// more at once (the metrics-loader's peak about 15 MiB higher, docs/PERFORMANCE.md round 7); on a larger node, 2 or more.
    /// </summary>
    public int CustomerWriters { get; set; } = 1;

    public string ResolvedSpillDirectory => string.IsNullOrWhiteSpace(SpillDirectory) ? Path.GetTempPath() : SpillDirectory;
}
