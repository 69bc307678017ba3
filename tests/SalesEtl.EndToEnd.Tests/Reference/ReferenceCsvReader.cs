using System.Text;

namespace SalesEtl.EndToEnd.Tests.Reference;

/// <summary>One CSV record: where it starts, its text, and its fields (null when it could not be parsed).</summary>
public sealed record CsvRecord(long SourceLine, string RawText, IReadOnlyList<string>? Fields)
{
    public bool IsMalformed => Fields is null;
}

/// <summary>
/// A deliberately small RFC 4180 reader that follows SPEC §1 "Edge cases, settled" literally.
/// It reads the whole text at once: the reference values clarity over memory.
/// </summary>
public static class ReferenceCsvReader
{
    public static string ReadAllText(string path)
    {
        // Invalid UTF-8 becomes U+FFFD rather than failing the run; a leading BOM is not data.
        var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false)
            .GetString(File.ReadAllBytes(path));
        return text.StartsWith('\uFEFF') ? text[1..] : text;
    }

    public static IEnumerable<CsvRecord> Parse(string text)
    {
        var i = 0;
        long line = 1;
        while (i < text.Length)
        {
            // A blank line outside quotes (nothing, or only spaces and TABs, before its line end) is not a record.
            var afterBlanks = i;
            while (afterBlanks < text.Length && text[afterBlanks] is ' ' or '\t')
                afterBlanks++;
            if (afterBlanks == text.Length)
                break;
            var blankLineEnd = LineEndLength(text, afterBlanks);
            if (blankLineEnd > 0)
            {
                i = afterBlanks + blankLineEnd;
                line++;
                continue;
            }

            var start = i;
            var startLine = line;
            var fields = new List<string>();
            var malformed = false;
            int contentEnd;

            while (true)
            {
                var field = new StringBuilder();
                var afterClosingQuote = false;
                if (i < text.Length && text[i] == '"')
                {
                    i++;
                    var closed = false;
                    while (i < text.Length)
                    {
                        var c = text[i];
                        if (c == '"')
                        {
                            if (i + 1 < text.Length && text[i + 1] == '"')
                            {
                                field.Append('"');
                                i += 2;
                                continue;
                            }

                            i++;
                            closed = true;
                            break;
                        }

                        // Every line end counts for source_line, also inside quotes (CRLF once).
                        if (c == '\n' || (c == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n')))
                            line++;
                        field.Append(c);
                        i++;
                    }

                    if (!closed)
                    {
                        // An unterminated quote swallows the rest of the file: one malformed record.
                        malformed = true;
                        contentEnd = text.Length;
                        break;
                    }

                    afterClosingQuote = true;
                }

                // The field goes on to the next comma or line end. Text after a closing quote, or a quote in an
                // unquoted field, makes the record malformed; such a quote is data and never opens quoting, but
                // the next field is read by the same rules again (a field starting with a quote is quoted).
                while (i < text.Length && text[i] != ',' && LineEndLength(text, i) == 0)
                {
                    if (afterClosingQuote || text[i] == '"')
                        malformed = true;
                    field.Append(text[i]);
                    i++;
                }

                fields.Add(field.ToString());
                if (i >= text.Length)
                {
                    contentEnd = i;
                    break;
                }

                if (text[i] == ',')
                {
                    i++;
                    continue;
                }

                contentEnd = i;
                i += LineEndLength(text, i);
                line++;
                break;
            }

            var raw = StripTrailingLineEnd(text[start..contentEnd]);
            yield return new CsvRecord(startLine, raw, malformed ? null : fields);
        }
    }

    /// <summary>Length of the line end (LF, CRLF, or a CR alone) at <paramref name="i"/>, or 0.</summary>
    private static int LineEndLength(string text, int i)
    {
        if (i >= text.Length)
            return 0;
        if (text[i] == '\n')
            return 1;
        if (text[i] == '\r')
            return i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
        return 0;
    }

    private static string StripTrailingLineEnd(string raw)
    {
        if (raw.EndsWith("\r\n", StringComparison.Ordinal))
            return raw[..^2];
        return raw.EndsWith('\n') || raw.EndsWith('\r') ? raw[..^1] : raw;
    }
}
