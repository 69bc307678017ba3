using Npgsql;
using SalesEtl.Data.Facts;

namespace SalesEtl.MetricsLoader.Aggregation;

/// <summary>
/// The facts that the read of a run's facts (<see cref="FactReading"/>) found with the id of a waiting candidate (or a
/// false positive of the ids' filter), kept as the binary COPY rows they were read as, in a file per reader (no locks;
/// memory stays flat whatever the run's size), until they are copied into the ranking's table <c>earlier_facts</c>,
/// whose columns are <see cref="FactReading.Columns"/>. Files deleted on close.
/// </summary>
sealed class EarlierFacts(string directory, int readers) : IDisposable
{
    readonly FileStream?[] files = new FileStream?[readers];
    readonly long[] rows = new long[readers];
    readonly string prefix = Path.Combine(directory, $"sales-etl-earlier-facts-{Guid.NewGuid():N}");

    public long Rows => rows.Sum();

    /// <summary>Adds a fact as read (one binary COPY row), by <paramref name="reader"/> (each reader its own thread).</summary>
    public void Add(int reader, ReadOnlySpan<byte> copyRow)
    {
        var file = files[reader] ??= new FileStream($"{prefix}-{reader}.rows", FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
            bufferSize: 64 * 1024, FileOptions.DeleteOnClose);
        file.Write(copyRow);
        rows[reader]++;
    }

    /// <summary>Copies every row into <paramref name="table"/> (columns <see cref="FactReading.Columns"/>) on the connection, in its transaction.</summary>
    public async Task CopyIntoAsync(NpgsqlConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginRawBinaryCopyAsync($"COPY {table} ({FactReading.Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        await copy.WriteAsync(PgBinaryCopy.Header.ToArray(), cancellationToken);
        foreach (var file in files)
        {
            if (file is null)
                continue;
            await file.FlushAsync(cancellationToken);
            file.Position = 0;
            await file.CopyToAsync(copy, cancellationToken);
        }
        await copy.WriteAsync(PgBinaryCopy.Trailer.ToArray(), cancellationToken);
    }

    public void Dispose()
    {
        foreach (var file in files)
            file?.Dispose();
    }
}
