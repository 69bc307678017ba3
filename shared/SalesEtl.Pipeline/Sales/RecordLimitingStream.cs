using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace SalesEtl.Pipeline.Sales;

/// <summary>A record that <see cref="RecordLimitingStream"/> cut because it was longer than the limit.</summary>
/// <param name="OutputLine">The line where the record starts in the stream's output (which lacks the lines cut away before it).</param>
/// <param name="SkippedLineBreaks">Line breaks inside the part cut away (quoted line breaks): the lines the output lacks from here on.</param>
/// <param name="RecordBytes">The record's whole length in bytes of UTF-8, line break excluded.</param>
/// <param name="ClosedQuote">A closing quote was added to the kept part, so that the record still ends where it should.</param>
/// <param name="UnterminatedQuote">The record ran to the end of the input inside a quoted field.</param>
/// <param name="IsFirstRecord">No record with text came before it: it is the header.</param>
internal sealed record TruncatedRecord(long OutputLine, long SkippedLineBreaks, long RecordBytes, bool ClosedQuote, bool UnterminatedQuote, bool IsFirstRecord);

/// <summary>
/// Passes a CSV file's UTF-8 bytes through unchanged, except that a leading UTF-8 byte order mark is dropped (when asked), bytes that
/// are not UTF-8 become U+FFFD as .NET's UTF-8 decoder replaces them (and U+0000, which PostgreSQL text cannot hold,
/// too), and a record longer than the limit is cut to its first <c>maxRecordBytes</c> bytes (whole characters, and
/// closed, so that it still ends where it ended). It follows the quoting of SPEC §1 (a field is quoted only when its
/// first character is <c>"</c>; <c>""</c> inside quotes is a quote; CR, LF and CRLF end a line) to find where each
/// record ends, so the CSV reader behind it can go on with the next record instead of failing the file: memory stays
/// bounded and only the long record is lost to a reject.
/// <para>
/// The CSV reader reads these bytes as they are: a file is not decoded into UTF-16 and encoded back (which cost the
/// ingestor about a third of its CPU). Valid UTF-8 is checked a buffer at a time and passed on; only a buffer with bytes
/// that are not UTF-8 is transcoded, with replacement.
/// </para>
/// </summary>
/// <param name="skipByteOrderMark">Whether a leading byte order mark is the file's (dropped) or text (kept): a
/// <see cref="TextReader"/> already decided, as its decoding went.</param>
internal sealed class RecordLimitingStream(Stream inner, int maxRecordBytes, bool skipByteOrderMark) : Text.ReadOnlyStream
{
    private enum State { RecordStart, FieldStart, Unquoted, Quoted, QuoteInQuoted, AfterQuoted }

    private static readonly SearchValues<byte> Specials = SearchValues.Create("\",\r\n\0"u8);
    private static readonly SearchValues<byte> RecordEnds = SearchValues.Create("\"\r\n\0"u8);
    private static readonly byte[] ReplacementCharacter = [0xEF, 0xBF, 0xBD];
    private static readonly byte[] Ellipsis = [0xE2, 0x80, 0xA6];

    // A read takes at most this many bytes, so that their replacement (three bytes for each byte that is not UTF-8, at
    // worst) fits the input buffer in place.
    private const int ReadBytes = 1 << 15;

    // The inner stream's bytes, made valid UTF-8: [inputStart, inputEnd) is ready; [inputEnd, rawEnd) waits for the
    // rest of a character that the last read cut.
    private readonly byte[] input = new byte[3 * (ReadBytes + 4)];
    private readonly Queue<TruncatedRecord> truncated = new();
    private int inputStart;
    private int inputEnd;
    private int rawEnd;
    private bool innerDone;
    private bool atStart = skipByteOrderMark;
    private char[]? transcoding;

    private State state = State.RecordStart;
    private bool lastWasCr;
    private long outputLines;
    private bool anyRecordWithText;

    // The record being read.
    private long recordStartLine;
    private long recordBytes;
    private bool recordHasText;
    private bool keptHasText;
    private bool skipping;
    private bool cutInsideQuotes;
    private long skippedLineBreaks;

    private byte[] pending = [];
    private int pendingAt;

    /// <summary>Whether a plain record goes out in one step (<see cref="TryWholeRecord"/>); off only to test it against the steps.</summary>
    internal bool WholeRecords { get; init; } = true;

    /// <summary>Records cut so far, in input order, not yet taken by <see cref="TakeTruncated"/>.</summary>
    public bool TryPeekTruncated(out TruncatedRecord record) => truncated.TryPeek(out record!);

    public TruncatedRecord TakeTruncated() => truncated.Dequeue();

    public override int Read(Span<byte> buffer)
    {
        var written = 0;
        while (written < buffer.Length)
        {
            if (pendingAt < pending.Length)
            {
                var n = Math.Min(pending.Length - pendingAt, buffer.Length - written);
                pending.AsSpan(pendingAt, n).CopyTo(buffer[written..]);
                pendingAt += n;
                written += n;
                continue;
            }
            if (inputStart == inputEnd)
            {
                if (innerDone)
                    break;
                if (!Fill())
                {
                    innerDone = true;
                    EndOfInput();
                }
                continue;
            }
            written += Process(buffer[written..]);
        }
        return written;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }

    // Reads the next bytes of the inner stream and makes them valid UTF-8; false at its end. May make none ready (a
    // character still cut, or only a byte order mark read): the caller asks again.
    private bool Fill()
    {
        var carried = rawEnd - inputEnd;
        input.AsSpan(inputEnd, carried).CopyTo(input);
        inputStart = 0;
        inputEnd = 0;
        rawEnd = carried;
        bool final;
        do
        {
            var read = inner.Read(input, rawEnd, ReadBytes);
            rawEnd += read;
            final = read == 0;
        }
        while (atStart && rawEnd < 3 && !final);
        if (rawEnd == 0)
            return false;

        var raw = input.AsSpan(0, rawEnd);
        if (atStart)
        {
            atStart = false;
            if (raw.StartsWith("\uFEFF"u8))
                inputStart = 3;
        }

        // Hold back a character the read cut, unless the input ends there.
        var complete = final ? raw.Length : Math.Max(inputStart, CompleteLength(raw));
        if (Utf8.IsValid(raw[inputStart..complete]))
        {
            inputEnd = complete;
            return inputEnd > inputStart || !final;
        }
        Replace(final);
        return true;
    }

    // The length of the bytes before a character cut at their end (one to three bytes of a longer sequence).
    private static int CompleteLength(ReadOnlySpan<byte> bytes)
    {
        for (var back = 1; back <= Math.Min(3, bytes.Length); back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) == 0x80)
                continue;
            return SequenceLength(b) > back ? bytes.Length - back : bytes.Length;
        }
        return bytes.Length;
    }

    // The ready bytes hold some that are not UTF-8: they go through .NET's decoder with replacement (the same U+FFFD
    // a StreamReader makes) and back to UTF-8, in place; a character cut at the end of the read waits for the next.
    private void Replace(bool final)
    {
        var raw = input.AsSpan(inputStart, rawEnd - inputStart);
        transcoding ??= new char[input.Length];
        Utf8.ToUtf16(raw, transcoding, out var consumed, out var chars, replaceInvalidSequences: true, isFinalBlock: final);
        var leftover = raw[consumed..].ToArray();
        var encoded = Encoding.UTF8.GetBytes(transcoding.AsSpan(0, chars), input);
        leftover.CopyTo(input.AsSpan(encoded));
        inputStart = 0;
        inputEnd = encoded;
        rawEnd = encoded + leftover.Length;
    }

    // Moves input to output until either is exhausted or text is queued in pending; returns the bytes written.
    private int Process(Span<byte> output)
    {
        var written = 0;
        while (inputStart < inputEnd && written < output.Length && pendingAt == pending.Length)
        {
            var available = input.AsSpan(inputStart, inputEnd - inputStart);
            if (WholeRecords && state == State.RecordStart && TryWholeRecord(available, output[written..]) is var recordBytesOut and > 0)
            {
                written += recordBytesOut;
                continue;
            }
            var special = available.IndexOfAny(Specials);
            if (special != 0)
            {
                // A run of ordinary bytes: one state change for all of it. A run cut by the output ends on a whole
                // character, so that a cut record keeps whole characters.
                var run = special < 0 ? available : available[..special];
                if (!skipping && run.Length > output.Length - written)
                {
                    var whole = WholeCharacters(run, output.Length - written);
                    if (whole == 0)
                    {
                        // Not even its first character fits: it goes out through pending.
                        var first = run[..Math.Min(SequenceLength(run[0]), run.Length)];
                        inputStart += first.Length;
                        written += Overflowing(first, output[written..]);
                        continue;
                    }
                    run = run[..whole];
                }
                inputStart += run.Length;
                written += Ordinary(run, output[written..]);
                continue;
            }

            var c = available[0];
            inputStart++;
            written += c == 0 ? Overflowing(ReplacementCharacter, output[written..]) : Special(c, output[written..]);
        }
        return written;
    }

    // Nearly every record: no quote and no NUL before its line break, within the limit, all of it in the input and with
    // room in the output. It goes out at once (the state machine's result for it, without a step per field); returns
    // the bytes written, 0 when the record is not such a one.
    private int TryWholeRecord(ReadOnlySpan<byte> available, Span<byte> output)
    {
        var end = available.IndexOfAny(RecordEnds);
        if (end <= 0 || end > maxRecordBytes || end >= output.Length || available[end] is not ((byte)'\r' or (byte)'\n'))
            return 0;
        var record = available[..end];
        StartRecord();
        recordBytes = end;
        // Commas are text, as a special character is; a record of spaces and tabs only is a blank line.
        recordHasText = keptHasText = record.IndexOfAnyExcept((byte)' ', (byte)'\t') >= 0;
        state = State.Unquoted;
        lastWasCr = false;
        record.CopyTo(output);
        inputStart += end + 1;
        return end + Special(available[end], output[end..]);
    }

    // One ordinary character that may not fit the output: what does not goes to pending.
    private int Overflowing(ReadOnlySpan<byte> character, Span<byte> output)
    {
        Span<byte> scratch = stackalloc byte[4];
        var n = Ordinary(character, scratch);
        var fit = Math.Min(n, output.Length);
        scratch[..fit].CopyTo(output);
        if (fit < n)
        {
            pending = scratch[fit..n].ToArray();
            pendingAt = 0;
        }
        return fit;
    }

    // The longest prefix of run, at most limit bytes, that ends on a character boundary.
    private static int WholeCharacters(ReadOnlySpan<byte> run, int limit)
    {
        var end = limit;
        while (end > 0 && end < run.Length && (run[end] & 0xC0) == 0x80)
            end--;
        return end;
    }

    // Ordinary bytes (no quote, comma or line break): counted against the limit, passed on or cut.
    private int Ordinary(ReadOnlySpan<byte> run, Span<byte> output)
    {
        lastWasCr = false;
        if (state == State.RecordStart)
            StartRecord();
        state = state switch
        {
            State.FieldStart => State.Unquoted,
            State.QuoteInQuoted => State.AfterQuoted,
            _ => state,
        };
        if (!recordHasText && run.IndexOfAnyExcept((byte)' ', (byte)'\t') >= 0)
            recordHasText = true;

        if (skipping)
        {
            recordBytes += run.Length;
            return 0;
        }
        if (recordBytes + run.Length <= maxRecordBytes)
        {
            recordBytes += run.Length;
            if (!keptHasText && run.IndexOfAnyExcept((byte)' ', (byte)'\t') >= 0)
                keptHasText = true;
            run.CopyTo(output);
            return run.Length;
        }
        var written = 0;
        for (var at = 0; at < run.Length;)
        {
            var length = SequenceLength(run[at]);
            written += Counted(run.Slice(at, Math.Min(length, run.Length - at)), output[written..]);
            at += length;
        }
        return written;
    }

    private static int SequenceLength(byte lead) => lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;

    // A quote, a comma or a line break.
    private int Special(byte c, Span<byte> output)
    {
        var lineBreak = c is (byte)'\r' or (byte)'\n';
        if (c == '\n' && lastWasCr)
        {
            // The LF of a CRLF: one line break with the CR, which already ended the line (and any record).
            lastWasCr = false;
            return state == State.RecordStart ? Emit(c, output) : Counted([c], output);
        }
        lastWasCr = c == '\r';

        if (state == State.RecordStart)
        {
            if (lineBreak)
            {
                outputLines++;
                return Emit(c, output);
            }
            StartRecord();
        }
        if (!lineBreak)
            recordHasText = true;

        if (lineBreak && state != State.Quoted)
        {
            var ending = EndRecord(endOfInput: false);
            outputLines++;
            state = State.RecordStart;
            if (ending.Length == 0)
                return Emit(c, output);
            pending = [.. ending, c];
            pendingAt = 0;
            return 0;
        }
        if (lineBreak)
        {
            // Inside quotes: part of the field, and a line of its own.
            var n = Counted([c], output);
            if (n > 0)
                outputLines++;
            else
                skippedLineBreaks++;
            return n;
        }

        state = (state, c) switch
        {
            (State.FieldStart, (byte)'"') => State.Quoted,
            (State.Quoted, (byte)'"') => State.QuoteInQuoted,
            (State.QuoteInQuoted, (byte)'"') => State.Quoted, // an escaped quote
            (State.FieldStart or State.Unquoted or State.QuoteInQuoted or State.AfterQuoted, (byte)',') => State.FieldStart,
            _ => state, // a comma inside quotes; a stray quote, which opens nothing
        };
        return Counted([c], output);
    }

    // One character of the current record (its UTF-8 bytes): passed on while the record is within the limit.
    private int Counted(ReadOnlySpan<byte> character, Span<byte> output)
    {
        recordBytes += character.Length;
        if (skipping)
            return 0;
        if (recordBytes > maxRecordBytes)
        {
            skipping = true;
            // The state is already that after the character; what matters is whether the part kept ends inside quotes.
            var quote = character.Length == 1 && character[0] == '"';
            cutInsideQuotes = (state == State.Quoted && !quote) || (state == State.QuoteInQuoted && quote);
            skippedLineBreaks = 0;
            return 0;
        }
        if (!(character.Length == 1 && character[0] is (byte)' ' or (byte)'\t'))
            keptHasText = true;
        character.CopyTo(output);
        return character.Length;
    }

    private static int Emit(byte c, Span<byte> output)
    {
        output[0] = c;
        return 1;
    }

    private void StartRecord()
    {
        state = State.FieldStart;
        recordStartLine = outputLines + 1;
        recordBytes = 0;
        recordHasText = false;
        keptHasText = false;
        skipping = false;
    }

    // Returns what to add before the line break that ends the record: for a cut record, a quote to close the kept part
    // if it ends inside quotes, and a mark if the kept part is blank (spaces) while the record is not, so that the
    // reader does not skip it as a blank line.
    private byte[] EndRecord(bool endOfInput)
    {
        byte[] ending = [];
        if (skipping)
        {
            var mark = recordHasText && !keptHasText;
            truncated.Enqueue(new TruncatedRecord(
                recordStartLine, skippedLineBreaks, recordBytes, cutInsideQuotes,
                UnterminatedQuote: endOfInput && state == State.Quoted,
                IsFirstRecord: !anyRecordWithText));
            ending = [.. mark ? Ellipsis : [], .. cutInsideQuotes ? "\""u8 : []];
            skipping = false;
        }
        if (recordHasText)
            anyRecordWithText = true;
        return ending;
    }

    private void EndOfInput()
    {
        if (state != State.RecordStart)
        {
            pending = EndRecord(endOfInput: true);
            pendingAt = 0;
        }
        state = State.RecordStart;
    }
}
