using Prometheus;

namespace SalesEtl.Ingestor;

static class IngestorMetrics
{
    public static readonly Counter ChunksStaged = Metrics.CreateCounter("etl_chunks_staged_total", "Chunks of sales rows staged in PostgreSQL.");
    public static readonly Counter RowsStaged = Metrics.CreateCounter("etl_rows_staged_total", "Sales rows read from files and staged.");
}
