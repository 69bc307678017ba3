using System.Text;

namespace SalesEtl.Pipeline.Text;

/// <summary>
/// A text read as the UTF-8 bytes of its characters (a lone surrogate becomes U+FFFD), for readers of bytes given a
/// <see cref="TextReader"/>: the CSV reader reads a file's bytes as they are, and text already decoded (a test's
/// string, a stream event) through this.
/// </summary>
public sealed class Utf8TextStream(TextReader reader) : ReadOnlyStream
{
    readonly char[] chars = new char[4096];
    readonly byte[] bytes = new byte[Encoding.UTF8.GetMaxByteCount(4096)];
    readonly Encoder encoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetEncoder();
    int bytesStart;
    int bytesEnd;
    bool done;

    public override int Read(Span<byte> buffer)
    {
        while (bytesStart == bytesEnd && !done)
        {
            var read = reader.Read(chars, 0, chars.Length);
            done = read == 0;
            bytesStart = 0;
            bytesEnd = encoder.GetBytes(chars, 0, read, bytes, 0, flush: done);
        }
        var n = Math.Min(buffer.Length, bytesEnd - bytesStart);
        bytes.AsSpan(bytesStart, n).CopyTo(buffer);
        bytesStart += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            reader.Dispose();
        base.Dispose(disposing);
    }
}
