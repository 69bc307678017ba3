using SalesEtl.Data.Facts;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Transformer;

/// <summary>The pure part of transforming a chunk: every record becomes a candidate fact or a reject.</summary>
public static class ChunkTransformation
{
    /// <summary>
    /// Transforms one record into <paramref name="output"/>: its candidate fact, or its reject. The consumer calls it
    /// for each record as the staged chunk is read, so neither the record nor its candidate outlives this call.
    /// </summary>
    public static void Transform(
        RawSale row, SaleNormalizer normalizer, DateTimeOffset asOf, IReadOnlyDictionary<string, decimal> basePrices, ITransformedChunk output)
    {
        ArgumentNullException.ThrowIfNull(normalizer);
        ArgumentNullException.ThrowIfNull(output);
        var outcome = normalizer.Normalize(row, asOf, basePrices);
        if (outcome.Sale is { } sale)
            output.Accept(sale);
        else
            output.Reject(new RejectedRow(row.SourceLine, outcome.RejectReason!, row.RawText));
    }

    /// <summary>
    /// Transforms one staged record as it lies in the payload: the same candidate or reject as
    /// <see cref="Transform(RawSale, SaleNormalizer, DateTimeOffset, IReadOnlyDictionary{string, decimal}, ITransformedChunk)"/>
    /// gives for its <see cref="RawSale"/> (a test holds them equal), but its texts are decoded into one buffer of chars
    /// instead of a string each, and an accepted record goes to <paramref name="output"/> as spans: no object per record.
    /// A text that is not UTF-8 fails the chunk with an <see cref="InvalidDataException"/>, as reading the record did.
    /// </summary>
    public static void Transform(
        in StagedRecord record, SaleNormalizer normalizer, DateTimeOffset asOf, IReadOnlyDictionary<string, decimal> basePrices, ITransformedChunk output)
    {
        ArgumentNullException.ThrowIfNull(normalizer);
        ArgumentNullException.ThrowIfNull(output);
        if (!System.Text.Unicode.Utf8.IsValid(record.RawText))
            throw NotUtf8(record.SourceLine);
        // UTF-8 never decodes to more chars than it has bytes.
        var bytes = record.TransactionId.Length + record.CustomerId.Length + record.ProductId.Length + record.SaleDate.Length
            + record.Quantity.Length + record.TotalPrice.Length + record.SalesChannel.Length;
        char[]? rented = null;
        var chars = bytes <= StackChars ? stackalloc char[StackChars] : (rented = System.Buffers.ArrayPool<char>.Shared.Rent(bytes));
        try
        {
            var used = 0;
            var transactionId = Decode(record.TransactionId, chars, ref used, record.SourceLine);
            var customerId = Decode(record.CustomerId, chars, ref used, record.SourceLine);
            var productId = Decode(record.ProductId, chars, ref used, record.SourceLine);
            var saleDate = Decode(record.SaleDate, chars, ref used, record.SourceLine);
            var quantity = Decode(record.Quantity, chars, ref used, record.SourceLine);
            var totalPrice = Decode(record.TotalPrice, chars, ref used, record.SourceLine);
            var salesChannel = Decode(record.SalesChannel, chars, ref used, record.SourceLine);
            Span<char> productIdBuffer = stackalloc char[64];
            var reason = normalizer.Normalize(record.Malformed, transactionId, customerId, productId, saleDate, quantity, totalPrice, salesChannel,
                asOf, basePrices, productIdBuffer, out var sale);
            if (reason is null)
                output.Accept(record.SourceLine, in sale, record.FirstOccurrence, record.RawText);
            else
                output.Reject(new RejectedRow(record.SourceLine, reason, System.Text.Encoding.UTF8.GetString(record.RawText)));
        }
        finally
        {
            if (rented is not null)
                System.Buffers.ArrayPool<char>.Shared.Return(rented);
        }
    }

    const int StackChars = 512;

    static ReadOnlySpan<char> Decode(ReadOnlySpan<byte> utf8, Span<char> chars, ref int used, long sourceLine)
    {
        var status = System.Text.Unicode.Utf8.ToUtf16(utf8, chars[used..], out _, out var written, replaceInvalidSequences: false);
        if (status != System.Buffers.OperationStatus.Done)
            throw NotUtf8(sourceLine);
        var text = chars.Slice(used, written);
        used += written;
        return text;
    }

    static InvalidDataException NotUtf8(long sourceLine) =>
        new($"The staged record of line {sourceLine} holds text that is not valid UTF-8.");

    /// <summary>Transforms a chunk already read into a list; the candidates and rejects in line order.</summary>
    public static (IReadOnlyList<NormalizedSale> Candidates, IReadOnlyList<RejectedRow> Rejects) Apply(
        IReadOnlyList<RawSale> rows, SaleNormalizer normalizer, DateTimeOffset asOf, IReadOnlyDictionary<string, decimal> basePrices)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var output = new CollectedChunk(Guid.Empty, 0, 0);
        foreach (var row in rows)
            Transform(row, normalizer, asOf, basePrices, output);
        return (output.CandidateSales, output.Rejects);
    }
}
