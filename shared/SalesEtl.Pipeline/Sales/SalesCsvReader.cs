using System.Text;
using CsvHelper;

namespace SalesEtl.Pipeline.Sales;

/// <summary>Limits of <see cref="SalesCsvReader"/>.</summary>
public sealed record SalesCsvReaderOptions
{
    /// <summary>
    /// The largest record (and so the largest field), in bytes of UTF-8, that the reader keeps. A longer record is
    /// cut to this size and returned as malformed (its raw text shortened, with a note), and reading goes on with
    /// the next record, so memory stays bounded whatever the file. A quote that is never closed makes the rest of
    /// the file one record: past this size the file fails with a <see cref="SalesFileException"/> naming the line.
    /// Real records are far below the default (4 MiB).
    /// </summary>
    public int MaxRecordBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>The raw text kept for a record longer than <see cref="MaxRecordBytes"/>: its first characters.</summary>
    public int MaxRawTextCharsOfLongRecord { get; init; } = 1000;
}

/// <summary>
/// Streams a sales CSV (SPEC §1 file level) with CsvHelper: RFC 4180 quoting, LF or CRLF, BOM
/// handled by the caller's <see cref="StreamReader"/>, blank lines skipped, bad quoting, wrong
/// field counts and records longer than the limit reported as malformed records (never thrown).
/// Memory does not grow with the file, nor with its longest record.
/// </summary>
/// <remarks>
/// CsvHelper 34 implements the SPEC's quoting rules exactly (checked by experiment, pinned by the reader tests):
/// a field is quoted only when its first character is a quote; a stray quote in an unquoted field and text after a
/// closing quote are reported through <see cref="CsvReaderOptions.OnMalformedRecord"/> and the record is still
/// returned, so it can be kept as a <c>malformed_row</c>; a quote after a closing quote does not reopen quoting, so
/// the next record starts where the SPEC says; an unterminated quote runs to the end of the input as one record.
/// Line numbers count every physical line (blank ones and those inside quotes), as <c>source_line</c> needs.
/// </remarks>
public sealed class SalesCsvReader : IDisposable
{
    private readonly CsvReader csv;
    private readonly RecordLimitingStream limiting;
    private readonly int maxRecordBytes;
    private readonly int maxRawTextCharsOfLongRecord;

    // Lines cut away with long records (quoted line breaks): what to add to CsvHelper's line numbers from here on.
    private long lineOffset;

    // Lines where CsvHelper found malformed quoting, in input order; it reports a record just before returning it.
    private readonly Queue<long> malformedLines = new();
    private IReadOnlyList<string>? headerNames;

    public SalesCsvReader(TextReader reader)
        : this(reader, new SalesCsvReaderOptions())
    {
    }

    /// <summary>Reads text already decoded, as the UTF-8 of its characters (a U+FEFF it starts with is text).</summary>
    public SalesCsvReader(TextReader reader, SalesCsvReaderOptions options)
        : this(new Text.Utf8TextStream(reader ?? throw new ArgumentNullException(nameof(reader))), options, skipByteOrderMark: false)
    {
    }

    /// <summary>
    /// Reads a file's bytes as UTF-8: a UTF-8 byte order mark is skipped, bytes that are not UTF-8 become U+FFFD (the
    /// record is kept and judged by the rules), and nothing else is decoded (<see cref="RecordLimitingStream"/>).
    /// </summary>
    public SalesCsvReader(Stream utf8, SalesCsvReaderOptions options)
        : this(utf8, options, skipByteOrderMark: true)
    {
    }

    private SalesCsvReader(Stream utf8, SalesCsvReaderOptions options, bool skipByteOrderMark)
    {
        ArgumentNullException.ThrowIfNull(utf8);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRecordBytes, 64);
        maxRecordBytes = options.MaxRecordBytes;
        maxRawTextCharsOfLongRecord = options.MaxRawTextCharsOfLongRecord;
        limiting = new RecordLimitingStream(utf8, maxRecordBytes, skipByteOrderMark);
        csv = CsvReader.Create(limiting, new CsvReaderOptions
        {
            Mode = CsvMode.Rfc4180,
            Separator = ',',
            HasHeader = true,
            AllowLineBreaksInQuotes = true,
            SkipEmptyLines = true,
            TrackLineNumbers = true,
            TrimWhitespace = false,
            MalformedData = CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            // The limiting reader cuts long records to MaxRecordBytes; CsvHelper's own limit is only a backstop.
            MaxRecordSize = (int)Math.Min((long)options.MaxRecordBytes + 4096, int.MaxValue),
            OnMalformedRecord = record => malformedLines.Enqueue(record.LineNumber),
            // CsvHelper skips only empty lines; a line of spaces and tabs is blank too (INTERPRETATIONS.md).
            ShouldSkipRecord = row => IsBlank(row.RawRecord),
        });
    }

    /// <summary>Reads the header row. Throws <see cref="SalesFileException"/> when there is none.</summary>
    public HeaderResolution ReadHeader() => SalesHeader.Resolve(EnsureHeader());

    /// <summary>
    /// The data records in file order; with <paramref name="firstOccurrences"/>, each record whose transaction id it
    /// certainly holds for the first time is marked <see cref="RawSale.FirstOccurrence"/>.
    /// </summary>
    public IEnumerable<RawSale> ReadRows(SalesHeader header, FirstOccurrenceFilter? firstOccurrences = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        EnsureHeader();
        return Rows(header, firstOccurrences);
    }

    /// <summary>
    /// Reads the next data record into <paramref name="chunk"/>, as <see cref="ReadRows"/> and
    /// <see cref="StagedChunkCodec.Encoder.Append(RawSale)"/> would, the same bytes, but a well-formed record's fields go
    /// from the reader's UTF-8 to the payload without a string each (the ingestor's hot path: ten million records a
    /// nightly file). False at the end of the input.
    /// </summary>
    public bool TryAppendNext(SalesHeader header, FirstOccurrenceFilter? firstOccurrences, StagedChunkCodec.Encoder chunk)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(chunk);
        EnsureHeader();
        if (!TryReadRecord(header, out var line, out var cut, out var malformed))
            return false;
        if (malformed)
        {
            chunk.Append(MalformedRow(line, cut));
            return true;
        }

        var transactionId = csv.GetSpan(header.TransactionId);
        if (firstOccurrences is null)
            chunk.BeginRecord(line, malformed: false, firstOccurrence: false);
        else
            chunk.BeginRecord(line, firstOccurrences, transactionId);
        chunk.AppendTexts(WithoutLineBreak(csv.RawRecord), transactionId, csv.GetSpan(header.CustomerId), csv.GetSpan(header.ProductId),
            csv.GetSpan(header.SaleDate), csv.GetSpan(header.Quantity), csv.GetSpan(header.TotalPrice), csv.GetSpan(header.SalesChannel));
        return true;
    }

    public void Dispose() => csv.Dispose();

    private IEnumerable<RawSale> Rows(SalesHeader header, FirstOccurrenceFilter? firstOccurrences)
    {
        while (TryRead(header, firstOccurrences, out var row))
            yield return row;
    }

    private IReadOnlyList<string> EnsureHeader()
    {
        if (headerNames is not null)
            return headerNames;
        try
        {
            var names = csv.Headers;
            // CsvHelper takes the first non-empty line as the header, even one of spaces only: go past those.
            while (names.Count == 1 && IsBlank(names[0]))
            {
                if (!csv.Read())
                    break;
                csv.ReadHeader();
                names = csv.Headers;
            }
            if (names.Count == 0 || (names.Count == 1 && IsBlank(names[0])))
                throw new SalesFileException("The sales file has no header row: it is empty or has only blank lines.");
            if (limiting.TryPeekTruncated(out var cut) && cut.IsFirstRecord)
                throw new SalesFileException($"The header row is longer than {maxRecordBytes} bytes ({cut.RecordBytes} bytes): this is not a sales file, or its first line is not a header.");
            // A header with bad quoting has no trustworthy names: fail rather than guess the columns.
            if (malformedLines.Count > 0)
                throw new SalesFileException("The sales file cannot be read: its header row is malformed (bad quoting).");
            headerNames = names;
            return names;
        }
        catch (CsvFormatException e)
        {
            throw TooLarge(e);
        }
    }

    private bool TryRead(SalesHeader header, FirstOccurrenceFilter? firstOccurrences, out RawSale row)
    {
        if (!TryReadRecord(header, out var line, out var cut, out var malformed))
        {
            row = null!;
            return false;
        }
        if (malformed)
        {
            row = MalformedRow(line, cut);
            return true;
        }
        var transactionId = csv.GetString(header.TransactionId);
        row = new RawSale(
            line,
            false,
            RawText(csv.RawRecord),
            transactionId,
            csv.GetString(header.CustomerId),
            csv.GetString(header.ProductId),
            csv.GetString(header.SaleDate),
            csv.GetString(header.Quantity),
            csv.GetString(header.TotalPrice),
            csv.GetString(header.SalesChannel),
            firstOccurrences?.IsFirst(transactionId) ?? false);
        return true;
    }

    // Reads the next record and tells its line, whether it was cut (too long), and whether it is malformed (bad quoting,
    // a field count other than the header's, or cut).
    private bool TryReadRecord(SalesHeader header, out long line, out TruncatedRecord? cut, out bool malformed)
    {
        try
        {
            if (!csv.Read())
            {
                line = 0;
                cut = null;
                malformed = false;
                return false;
            }
        }
        catch (CsvFormatException e)
        {
            throw TooLarge(e);
        }

        var outputLine = csv.LineNumber;
        cut = TakeCut(outputLine);
        line = outputLine + lineOffset;
        if (cut is not null)
        {
            lineOffset += cut.SkippedLineBreaks;
            if (cut.UnterminatedQuote)
            {
                throw new SalesFileException(
                    $"The sales file cannot be read past line {line}: a quote opened there is never closed, so the rest of the file "
                    + $"({cut.RecordBytes} bytes) would be one record, longer than the limit of {maxRecordBytes} bytes.");
            }
        }
        malformed = IsReportedMalformed(outputLine) || csv.FieldCount != header.FieldCount || cut is not null;
        return true;
    }

    private RawSale MalformedRow(long line, TruncatedRecord? cut) =>
        new(line, true, cut is null ? RawText(csv.RawRecord) : CutRawText(csv.RawRecord, cut), null, null, null, null, null, null, null);

    // The cut record that starts on this line of CsvHelper's input, if any; cut records before it (skipped as blank)
    // only shift the line numbers.
    private TruncatedRecord? TakeCut(long outputLine)
    {
        while (limiting.TryPeekTruncated(out var cut) && cut.OutputLine <= outputLine)
        {
            limiting.TakeTruncated();
            if (cut.OutputLine == outputLine)
                return cut;
            lineOffset += cut.SkippedLineBreaks;
        }
        return null;
    }

    private string CutRawText(ReadOnlySpan<byte> record, TruncatedRecord cut)
    {
        var kept = RawText(record);
        if (cut.ClosedQuote && kept.EndsWith('"'))
            kept = kept[..^1];
        if (kept.Length > maxRawTextCharsOfLongRecord)
            kept = kept[..maxRawTextCharsOfLongRecord];
        if (kept.Length > 0 && char.IsHighSurrogate(kept[^1]))
            kept = kept[..^1];
        return $"{kept}… [record cut: {cut.RecordBytes} bytes, longer than the limit of {maxRecordBytes} bytes]";
    }

    private bool IsReportedMalformed(long line)
    {
        while (malformedLines.Count > 0 && malformedLines.Peek() < line)
            malformedLines.Dequeue();
        if (malformedLines.Count > 0 && malformedLines.Peek() == line)
        {
            malformedLines.Dequeue();
            return true;
        }
        return false;
    }

    private SalesFileException TooLarge(CsvFormatException e) => new(
        $"The sales file cannot be read: a record is longer than {maxRecordBytes} bytes, "
        + $"which usually means a quote that is never closed. {e.Message}",
        e);

    // The raw record without its line break; only a record cut by the end of the input (an unterminated quote)
    // can still end with one.
    private static string RawText(ReadOnlySpan<byte> record) => Encoding.UTF8.GetString(WithoutLineBreak(record));

    private static ReadOnlySpan<byte> WithoutLineBreak(ReadOnlySpan<byte> record)
    {
        if (record.EndsWith("\r\n"u8))
            return record[..^2];
        if (record.Length > 0 && (record[^1] == (byte)'\n' || record[^1] == (byte)'\r'))
            return record[..^1];
        return record;
    }

    private static bool IsBlank(ReadOnlySpan<byte> record)
    {
        foreach (var b in record)
        {
            if (b != (byte)' ' && b != (byte)'\t')
                return false;
        }
        return true;
    }

    private static bool IsBlank(string name)
    {
        foreach (var c in name)
        {
            if (c != ' ' && c != '\t')
                return false;
        }
        return true;
    }
}
