using SalesEtl.Pipeline.Buffers;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Data.Facts;

/// <summary>
/// A transformed chunk as the two raw binary COPY streams <see cref="TransformedChunkWriter"/> sends: each candidate
/// is encoded (<see cref="SaleCopyRows"/>) into the <c>fact_sales</c> buffer when it is its id's first occurrence,
/// else into the <c>transformed_sales</c> one, as it is added, so no candidate object outlives its record. The
/// rejects are kept as they are. It also tracks the chunk's first and last source line, which bound the facts of an
/// earlier attempt. Dispose returns the pooled buffers.
/// </summary>
public sealed class EncodedChunk : ITransformedChunk
{
    readonly PooledBufferWriter facts;
    readonly PooledBufferWriter others;
    readonly List<RejectedRow> rejects = [];

    /// <param name="capacityHint">Bytes to reserve for the <c>fact_sales</c> rows (most candidates are first occurrences).</param>
    public EncodedChunk(Guid runId, int chunkNo, long snapshotId, int capacityHint = 1024 * 1024)
    {
        RunId = runId;
        ChunkNo = chunkNo;
        SnapshotId = snapshotId;
        facts = new PooledBufferWriter(Math.Max(capacityHint, 4096));
        others = new PooledBufferWriter(4096);
        PgBinaryCopy.WriteHeader(facts);
        PgBinaryCopy.WriteHeader(others);
    }

    public Guid RunId { get; }

    public int ChunkNo { get; }

    public long SnapshotId { get; }

    public int Candidates => FactRows + CandidateRows;

    /// <summary>Rows encoded for <c>fact_sales</c>.</summary>
    public int FactRows { get; private set; }

    /// <summary>Rows encoded for <c>transformed_sales</c>.</summary>
    public int CandidateRows { get; private set; }

    public IReadOnlyList<RejectedRow> Rejects => rejects;

    /// <summary>The smallest and largest source line added; <see cref="IsEmpty"/> when nothing was.</summary>
    public long FirstLine { get; private set; } = long.MaxValue;

    public long LastLine { get; private set; } = long.MinValue;

    public bool IsEmpty => Candidates == 0 && rejects.Count == 0;

    /// <summary>The <c>fact_sales</c> COPY stream: header and rows, without the trailer.</summary>
    public ReadOnlyMemory<byte> FactCopyRows => facts.WrittenMemory;

    /// <summary>The <c>transformed_sales</c> COPY stream: header and rows, without the trailer.</summary>
    public ReadOnlyMemory<byte> CandidateCopyRows => others.WrittenMemory;

    public void Accept(NormalizedSale sale)
    {
        ArgumentNullException.ThrowIfNull(sale);
        if (sale.FirstOccurrence)
        {
            SaleCopyRows.AppendFact(facts, RunId, sale, SnapshotId);
            FactRows++;
        }
        else
        {
            SaleCopyRows.AppendCandidate(others, RunId, ChunkNo, sale);
            CandidateRows++;
        }
        Extend(sale.SourceLine);
    }

    public void Accept(long sourceLine, in SaleValues sale, bool firstOccurrence, ReadOnlySpan<byte> rawTextUtf8)
    {
        if (firstOccurrence)
        {
            SaleCopyRows.AppendFact(facts, RunId, sourceLine, sale, SnapshotId);
            FactRows++;
        }
        else
        {
            SaleCopyRows.AppendCandidate(others, RunId, ChunkNo, sourceLine, sale, rawTextUtf8);
            CandidateRows++;
        }
        Extend(sourceLine);
    }

    public void Reject(RejectedRow reject)
    {
        ArgumentNullException.ThrowIfNull(reject);
        rejects.Add(reject);
        Extend(reject.SourceLine);
    }

    public void Dispose()
    {
        facts.Dispose();
        others.Dispose();
    }

    void Extend(long sourceLine)
    {
        FirstLine = Math.Min(FirstLine, sourceLine);
        LastLine = Math.Max(LastLine, sourceLine);
    }
}
