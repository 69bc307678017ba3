namespace SalesEtl.Pipeline.Sales;

/// <summary>
/// Streams a sales CSV (SPEC §1 file level) with CsvHelper: RFC 4180 quoting, LF or CRLF, BOM
/// handled by the caller's <see cref="StreamReader"/>, blank lines skipped, bad quoting and wrong
/// field counts reported as malformed records (never thrown). Memory does not grow with the file.
/// </summary>
public sealed class SalesCsvReader(TextReader reader) : IDisposable
{
    /// <summary>Reads the header row. Throws <see cref="SalesFileException"/> when there is none.</summary>
    public HeaderResolution ReadHeader() => throw new NotImplementedException();

    /// <summary>The data records in file order.</summary>
    public IEnumerable<RawSale> ReadRows(SalesHeader header) => throw new NotImplementedException();

    public void Dispose() => reader.Dispose();
}
