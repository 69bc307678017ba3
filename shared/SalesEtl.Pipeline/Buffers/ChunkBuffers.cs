using System.Buffers;

namespace SalesEtl.Pipeline.Buffers;

/// <summary>
/// The arrays of staged-chunk payloads (megabytes each): a pool of its own, bounded, without per-thread caches.
/// <see cref="ArrayPool{T}.Shared"/> keeps a returned array in the returning thread's cache as well as per core, so
/// over a long run more and more pool threads each held an 8 MB payload array: the ingestor's peak RSS grew with the
/// file (1 M rows 236 MiB, 10 M 267 MiB). A service has at most a few chunks in flight, so a few arrays per size do.
/// </summary>
public static class ChunkBuffers
{
    public static ArrayPool<byte> Pool { get; } = ArrayPool<byte>.Create(maxArrayLength: 1 << 30, maxArraysPerBucket: 4);
}
