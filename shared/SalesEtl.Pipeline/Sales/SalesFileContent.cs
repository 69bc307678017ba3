namespace SalesEtl.Pipeline.Sales;

/// <summary>What the first bytes of a file say about it, before it is read as CSV.</summary>
public static class SalesFileContent
{
    /// <summary>How many bytes from the start <see cref="LooksBinary"/> needs (as git and grep judge a file).</summary>
    public const int SniffBytes = 8000;

    /// <summary>
    /// A file looks binary (an image, an archive, random bytes) when its first <see cref="SniffBytes"/> bytes hold a
    /// NUL byte, which no UTF-8 text file has; UTF-16 and UTF-32 text, recognized by its byte order mark, does not count.
    /// </summary>
    public static bool LooksBinary(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])
            || head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
        {
            return false;
        }
        return head[..Math.Min(head.Length, SniffBytes)].Contains((byte)0);
    }
}
