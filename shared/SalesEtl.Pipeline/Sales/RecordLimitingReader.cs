using System.Buffers;
using System.Text;

namespace SalesEtl.Pipeline.Sales;

/// <summary>A record that <see cref="RecordLimitingReader"/> cut because it was longer than the limit.</summary>
/// <param name="OutputLine">The line where the record starts in the reader's output (which lacks the lines cut away before it).</param>
/// <param name="SkippedLineBreaks">Line breaks inside the part cut away (quoted line breaks): the lines the output lacks from here on.</param>
/// <param name="RecordBytes">The record's whole length in bytes of UTF-8, line break excluded.</param>
/// <param name="ClosedQuote">A closing quote was added to the kept part, so that the record still ends where it should.</param>
/// <param name="UnterminatedQuote">The record ran to the end of the input inside a quoted field.</param>
/// <param name="IsFirstRecord">No record with text came before it: it is the header.</param>
internal sealed record TruncatedRecord(long OutputLine, long SkippedLineBreaks, long RecordBytes, bool ClosedQuote, bool UnterminatedQuote, bool IsFirstRecord);

/// <summary>
/// Passes CSV text through unchanged, except that a record longer than the limit is cut to its first
/// <c>maxRecordBytes</c> bytes (and closed, so that it still ends where it ended), and that U+0000, which
/// PostgreSQL text cannot hold, becomes U+FFFD like any other unreadable byte. It follows the quoting of
/// SPEC §1 (a field is quoted only when its first character is <c>"</c>; <c>""</c> inside quotes is a quote;
/// CR, LF and CRLF end a line) to find where each record ends, so the reader behind it can go on with the next
/// record instead of failing the file: memory stays bounded and only the long record is lost to a reject.
/// </summary>
internal sealed class RecordLimitingReader(TextReader inner, int maxRecordBytes) : TextReader
{
    private enum State { RecordStart, FieldStart, Unquoted, Quoted, QuoteInQuoted, AfterQuoted }

    private static readonly SearchValues<char> Specials = SearchValues.Create("\",\r\n\0");

    private readonly char[] input = new char[1 << 16];
    private readonly Queue<TruncatedRecord> truncated = new();
    private int inputStart;
    private int inputEnd;
    private bool innerDone;

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

    private string pending = "";
    private int pendingAt;

    /// <summary>Records cut so far, in input order, not yet taken by <see cref="TakeTruncated"/>.</summary>
    public bool TryPeekTruncated(out TruncatedRecord record) => truncated.TryPeek(out record!);

    public TruncatedRecord TakeTruncated() => truncated.Dequeue();

    public override int Read()
    {
        Span<char> one = stackalloc char[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override Task<int> ReadAsync(char[] buffer, int index, int count) => Task.FromResult(Read(buffer.AsSpan(index, count)));

    public override ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override int Read(Span<char> buffer)
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
                inputStart = 0;
                inputEnd = inner.Read(input, 0, input.Length);
                if (inputEnd == 0)
                {
                    innerDone = true;
                    EndOfInput();
                    continue;
                }
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

    // Moves input to output until either is exhausted or text is queued in pending; returns the chars written.
    private int Process(Span<char> output)
    {
        var written = 0;
        while (inputStart < inputEnd && written < output.Length && pendingAt == pending.Length)
        {
            var available = input.AsSpan(inputStart, inputEnd - inputStart);
            var special = available.IndexOfAny(Specials);
            if (special != 0)
            {
                // A run of ordinary characters: one state change for all of it.
                var run = special < 0 ? available : available[..special];
                if (!skipping)
                    run = run[..Math.Min(run.Length, output.Length - written)];
                inputStart += run.Length;
                written += Ordinary(run, output[written..]);
                continue;
            }

            var c = available[0];
            inputStart++;
            written += c == '\0' ? Ordinary("\uFFFD", output[written..]) : Special(c, output[written..]);
        }
        return written;
    }

    // Ordinary characters (no quote, comma or line break): counted against the limit, passed on or cut.
    private int Ordinary(ReadOnlySpan<char> run, Span<char> output)
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
        if (!recordHasText && run.IndexOfAnyExcept(' ', '\t') >= 0)
            recordHasText = true;

        var bytes = Encoding.UTF8.GetByteCount(run);
        if (skipping)
        {
            recordBytes += bytes;
            return 0;
        }
        if (recordBytes + bytes <= maxRecordBytes)
        {
            recordBytes += bytes;
            if (!keptHasText && run.IndexOfAnyExcept(' ', '\t') >= 0)
                keptHasText = true;
            run.CopyTo(output);
            return run.Length;
        }
        var written = 0;
        foreach (var c in run)
            written += Counted(c, output[written..]);
        return written;
    }

    // A quote, a comma or a line break.
    private int Special(char c, Span<char> output)
    {
        var lineBreak = c is '\r' or '\n';
        if (c == '\n' && lastWasCr)
        {
            // The LF of a CRLF: one line break with the CR, which already ended the line (and any record).
            lastWasCr = false;
            return state == State.RecordStart ? Emit(c, output) : Counted(c, output);
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
            pending = ending + c;
            pendingAt = 0;
            return 0;
        }
        if (lineBreak)
        {
            // Inside quotes: part of the field, and a line of its own.
            var n = Counted(c, output);
            if (n > 0)
                outputLines++;
            else
                skippedLineBreaks++;
            return n;
        }

        state = (state, c) switch
        {
            (State.FieldStart, '"') => State.Quoted,
            (State.Quoted, '"') => State.QuoteInQuoted,
            (State.QuoteInQuoted, '"') => State.Quoted, // an escaped quote
            (State.FieldStart or State.Unquoted or State.QuoteInQuoted or State.AfterQuoted, ',') => State.FieldStart,
            _ => state, // a comma inside quotes; a stray quote, which opens nothing
        };
        return Counted(c, output);
    }

    // A character of the current record: passed on while the record is within the limit.
    private int Counted(char c, Span<char> output)
    {
        recordBytes += c < 0x80 ? 1 : c < 0x800 || char.IsSurrogate(c) ? 2 : 3;
        if (skipping)
            return 0;
        if (recordBytes > maxRecordBytes)
        {
            skipping = true;
            // The state is already that after c; what matters is whether the part kept ends inside quotes.
            cutInsideQuotes = (state == State.Quoted && c != '"') || (state == State.QuoteInQuoted && c == '"');
            skippedLineBreaks = 0;
            return 0;
        }
        if (c is not (' ' or '\t'))
            keptHasText = true;
        return Emit(c, output);
    }

    private static int Emit(char c, Span<char> output)
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
    private string EndRecord(bool endOfInput)
    {
        var ending = "";
        if (skipping)
        {
            var mark = recordHasText && !keptHasText;
            truncated.Enqueue(new TruncatedRecord(
                recordStartLine, skippedLineBreaks, recordBytes, cutInsideQuotes,
                UnterminatedQuote: endOfInput && state == State.Quoted,
                IsFirstRecord: !anyRecordWithText));
            ending = (mark ? "\u2026" : "") + (cutInsideQuotes ? "\"" : "");
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
