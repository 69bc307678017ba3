using System.Buffers;
using System.Numerics;
using SalesEtl.Pipeline.Buffers;
using SalesEtl.Pipeline.Metrics;

namespace SalesEtl.MetricsLoader.Aggregation;

/// <summary>
/// The customers' rows of a run's facts, spilled into parts by a hash of the customer id while the facts are read
/// (<see cref="CustomerFactRecord"/>), so that each part holds all the rows of its customers and is summed alone: memory
/// for one part's customers instead of the run's millions. One set of part files per reader (no locks), created when a
/// part's buffer first fills, deleted on close.
/// </summary>
sealed class CustomerSpill : IDisposable
{
    // 64 parts × 2 readers at 10 M facts: 2 MB of buffers.
    const int FlushBytes = 16 * 1024;

    readonly int partitionShift;
    readonly Part[][] parts;

    public CustomerSpill(string directory, int partitions, int readers)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitions);
        if (!BitOperations.IsPow2(partitions))
            throw new ArgumentOutOfRangeException(nameof(partitions), partitions, "A power of two.");
        Partitions = partitions;
        partitionShift = 64 - BitOperations.Log2((uint)partitions);
        var prefix = $"sales-etl-customers-{Guid.NewGuid():N}";
        parts = [.. Enumerable.Range(0, readers).Select(r => Enumerable.Range(0, partitions).Select(p => new Part(Path.Combine(directory, $"{prefix}-{r}-{p}.spill"))).ToArray())];
    }

    public int Partitions { get; }

    /// <summary>Adds a customer's row, read by <paramref name="reader"/> (each reader its own thread).</summary>
    public void Add(int reader, ReadOnlySpan<byte> customerId, int channel, int quantity, long saleDateMicros, long cents)
    {
        var hash = Utf8Hash.Of(customerId);
        var part = parts[reader][partitionShift == 64 ? 0 : (int)(hash >> partitionShift)];
        CustomerFactRecord.Write(part.Pending, customerId, channel, quantity, saleDateMicros, cents);
        if (part.Pending.WrittenCount >= FlushBytes)
            part.Flush();
    }

    /// <summary>Feeds every row of one part, from every reader, to <paramref name="table"/> (once: the part's buffer goes to its file first).</summary>
    public void ReadPart(int partition, CustomerTotalsTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        // Not the shared pool: it keeps a returned array per thread, and the lane's parts run on many pool threads in turn
        // (a megabyte kept per thread: at 10 M rows 64 parts, the metrics-loader's resident memory about 15 MiB higher).
        var buffer = ChunkBuffers.Pool.Rent(1 << 20);
        try
        {
            foreach (var reader in parts)
            {
                var part = reader[partition];
                if (part.File is null)
                {
                    if (table.AddRecords(part.Pending.WrittenSpan) != part.Pending.WrittenCount)
                        throw new InvalidDataException("A spilled customer record was cut off.");
                    continue;
                }
                // The buffer's tail after what was spilled, so that the file holds all of the part's records in order.
                part.Flush();
                part.File.Position = 0;
                var carried = 0;
                int read;
                while ((read = part.File.Read(buffer, carried, buffer.Length - carried)) > 0)
                {
                    var available = carried + read;
                    var used = table.AddRecords(buffer.AsSpan(0, available));
                    carried = available - used;
                    if (carried == buffer.Length)
                        throw new InvalidDataException("A spilled customer record is larger than the read buffer.");
                    buffer.AsSpan(used, carried).CopyTo(buffer);
                }
                if (carried != 0)
                    throw new InvalidDataException("A spilled customer record was cut off.");
            }
        }
        finally
        {
            ChunkBuffers.Pool.Return(buffer);
        }
    }

    public void Dispose()
    {
        foreach (var reader in parts)
        {
            foreach (var part in reader)
                part.Dispose();
        }
    }

    sealed class Part(string path) : IDisposable
    {
        public ArrayBufferWriter<byte> Pending { get; } = new(FlushBytes + 1024);

        public FileStream? File { get; private set; }

        public void Flush()
        {
            File ??= new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 0, FileOptions.DeleteOnClose);
            File.Write(Pending.WrittenSpan);
            Pending.ResetWrittenCount();
        }

        public void Dispose() => File?.Dispose();
    }
}
