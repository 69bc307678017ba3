using System.Buffers;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Data.Facts;

/// <summary>
/// The rows of <c>fact_sales</c> and <c>transformed_sales</c> in PostgreSQL's binary COPY format
/// (<see cref="PgBinaryCopy"/>), each with the COPY command whose column list it follows. A row is one
/// <c>GetSpan</c>, its fields and one <c>Advance</c>: no allocation per row.
/// </summary>
public static class SaleCopyRows
{
    public const string FactSalesCopy =
        "COPY fact_sales (run_id, source_line, transaction_id, customer_id, product_id, sale_date, quantity, total_price, sales_channel, flags, snapshot_id) FROM STDIN (FORMAT BINARY)";

    public const string TransformedSalesCopy =
        "COPY transformed_sales (run_id, chunk_no, source_line, transaction_id, customer_id, product_id, sale_date, quantity, total_price, sales_channel, flags, raw_text) FROM STDIN (FORMAT BINARY)";

    // The columns both tables share: source_line, the three ids, sale_date, quantity, total_price, sales_channel, flags.
    const int SaleFields = 9;
    const int SaleFixedBytes = PgBinaryCopy.Int64Bytes + PgBinaryCopy.TimestampBytes + PgBinaryCopy.Int32Bytes
        + PgBinaryCopy.MaxNumericBytes + PgBinaryCopy.Int32Bytes;

    /// <summary>Appends a <c>fact_sales</c> row: the run, the sale, the product snapshot.</summary>
    public static void AppendFact(IBufferWriter<byte> output, Guid runId, NormalizedSale sale, long snapshotId)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(sale);
        var span = output.GetSpan(2 + PgBinaryCopy.UuidBytes + MaxSaleBytes(sale) + PgBinaryCopy.Int64Bytes);
        var row = new PgBinaryCopy.Row(span, 1 + SaleFields + 1);
        row.Uuid(runId);
        WriteSale(ref row, sale);
        row.Int64(snapshotId);
        output.Advance(row.Length);
    }

    /// <summary>Appends a <c>transformed_sales</c> row: the run, the chunk, the sale and its raw text.</summary>
    public static void AppendCandidate(IBufferWriter<byte> output, Guid runId, int chunkNo, NormalizedSale sale)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(sale);
        var span = output.GetSpan(2 + PgBinaryCopy.UuidBytes + PgBinaryCopy.Int32Bytes + MaxSaleBytes(sale) + PgBinaryCopy.MaxTextBytes(sale.RawText));
        var row = new PgBinaryCopy.Row(span, 2 + SaleFields + 1);
        row.Uuid(runId);
        row.Int32(chunkNo);
        WriteSale(ref row, sale);
        row.Text(sale.RawText, "raw_text", sale.SourceLine);
        output.Advance(row.Length);
    }

    /// <summary>Appends a <c>fact_sales</c> row from a sale's normalized values (<see cref="SaleValues"/>): the bytes <see cref="AppendFact(IBufferWriter{byte}, Guid, NormalizedSale, long)"/> writes for the same sale.</summary>
    public static void AppendFact(IBufferWriter<byte> output, Guid runId, long sourceLine, in SaleValues sale, long snapshotId)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(2 + PgBinaryCopy.UuidBytes + MaxSaleBytes(sale) + PgBinaryCopy.Int64Bytes);
        var row = new PgBinaryCopy.Row(span, 1 + SaleFields + 1);
        row.Uuid(runId);
        WriteSale(ref row, sourceLine, sale);
        row.Int64(snapshotId);
        output.Advance(row.Length);
    }

    /// <summary>Appends a <c>transformed_sales</c> row from a sale's normalized values and its raw text as UTF-8 (checked by the caller).</summary>
    public static void AppendCandidate(IBufferWriter<byte> output, Guid runId, int chunkNo, long sourceLine, in SaleValues sale, ReadOnlySpan<byte> rawTextUtf8)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(2 + PgBinaryCopy.UuidBytes + PgBinaryCopy.Int32Bytes + MaxSaleBytes(sale) + 4 + rawTextUtf8.Length);
        var row = new PgBinaryCopy.Row(span, 2 + SaleFields + 1);
        row.Uuid(runId);
        row.Int32(chunkNo);
        WriteSale(ref row, sourceLine, sale);
        row.Utf8Text(rawTextUtf8);
        output.Advance(row.Length);
    }

    static int MaxSaleBytes(in SaleValues sale) => SaleFixedBytes
        + PgBinaryCopy.MaxTextBytes(sale.TransactionId.Length) + PgBinaryCopy.MaxTextBytes(sale.CustomerId.Length)
        + PgBinaryCopy.MaxTextBytes(sale.ProductId.Length) + PgBinaryCopy.MaxTextBytes(sale.Channel);

    static void WriteSale(ref PgBinaryCopy.Row row, long sourceLine, in SaleValues sale)
    {
        row.Int64(sourceLine);
        row.Text(sale.TransactionId, "transaction_id", sourceLine);
        if (sale.CustomerId.IsEmpty)
            row.Null();
        else
            row.Text(sale.CustomerId, "customer_id", sourceLine);
        row.Text(sale.ProductId, "product_id", sourceLine);
        row.TimestampTz(sale.SaleDateUtc, "sale_date", sourceLine);
        row.Int32(sale.Quantity);
        row.Numeric(sale.TotalPrice);
        row.Text(sale.Channel, "sales_channel", sourceLine);
        row.Int32((int)sale.Flags);
    }

    static int MaxSaleBytes(NormalizedSale sale) => SaleFixedBytes
        + PgBinaryCopy.MaxTextBytes(sale.TransactionId) + PgBinaryCopy.MaxTextBytes(sale.CustomerId)
        + PgBinaryCopy.MaxTextBytes(sale.ProductId) + PgBinaryCopy.MaxTextBytes(sale.Channel);

    static void WriteSale(ref PgBinaryCopy.Row row, NormalizedSale sale)
    {
        row.Int64(sale.SourceLine);
        row.Text(sale.TransactionId, "transaction_id", sale.SourceLine);
        if (sale.CustomerId is null)
            row.Null();
        else
            row.Text(sale.CustomerId, "customer_id", sale.SourceLine);
        row.Text(sale.ProductId, "product_id", sale.SourceLine);
        row.TimestampTz(sale.SaleDateUtc, "sale_date", sale.SourceLine);
        row.Int32(sale.Quantity);
        row.Numeric(sale.TotalPrice);
        row.Text(sale.Channel, "sales_channel", sale.SourceLine);
        row.Int32((int)sale.Flags);
    }
}
