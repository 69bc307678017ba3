namespace SalesEtl.Pipeline.Text;

/// <summary>
/// Text helpers for the SPEC rule "trimming removes ASCII whitespace only" (space, tab, LF, VT, FF, CR),
/// so that a non-breaking space or another Unicode space stays part of a value and is visible.
/// </summary>
internal static class AsciiText
{
    public static bool IsWhiteSpace(char c) => c == ' ' || (c >= '\t' && c <= '\r');

    public static ReadOnlySpan<char> Trim(ReadOnlySpan<char> text)
    {
        var start = 0;
        var end = text.Length;
        while (start < end && IsWhiteSpace(text[start]))
            start++;
        while (end > start && IsWhiteSpace(text[end - 1]))
            end--;
        return text[start..end];
    }

    /// <summary>The trimmed text, reusing the instance when nothing is trimmed; null when nothing is left.</summary>
    public static string? TrimToNull(string? text)
    {
        if (text is null)
            return null;
        var trimmed = Trim(text.AsSpan());
        if (trimmed.IsEmpty)
            return null;
        return trimmed.Length == text.Length ? text : trimmed.ToString();
    }

    /// <summary>Trims, collapses each inner run of ASCII whitespace to one space; null when nothing is left.</summary>
    public static string? CollapseToNull(string? text)
    {
        var trimmed = TrimToNull(text);
        if (trimmed is null)
            return null;
        var needsWork = false;
        for (var i = 0; i < trimmed.Length; i++)
        {
            if (IsWhiteSpace(trimmed[i]) && (trimmed[i] != ' ' || IsWhiteSpace(trimmed[i + 1])))
            {
                needsWork = true;
                break;
            }
        }
        if (!needsWork)
            return trimmed;
        return string.Create(CollapsedLength(trimmed), trimmed, static (destination, source) =>
        {
            var written = 0;
            var inSpace = false;
            foreach (var c in source)
            {
                if (IsWhiteSpace(c))
                {
                    if (!inSpace)
                        destination[written++] = ' ';
                    inSpace = true;
                }
                else
                {
                    destination[written++] = c;
                    inSpace = false;
                }
            }
        });
    }

    private static int CollapsedLength(string trimmed)
    {
        var length = 0;
        var inSpace = false;
        foreach (var c in trimmed)
        {
            var space = IsWhiteSpace(c);
            if (!space || !inSpace)
                length++;
            inSpace = space;
        }
        return length;
    }

    public static bool IsAsciiDigit(char c) => (uint)(c - '0') <= 9;
}
