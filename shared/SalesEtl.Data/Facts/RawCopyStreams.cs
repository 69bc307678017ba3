using Npgsql;

namespace SalesEtl.Data.Facts;

/// <summary>Ending a raw binary COPY that failed half-way.</summary>
public static class RawCopyStreams
{
    /// <summary>
    /// Sends CopyFail, so that nothing of a half-written COPY is taken (the transaction is rolled back anyway). When the
    /// connection itself broke there is nothing to cancel: the original exception is the one to see.
    /// </summary>
    public static async Task CancelQuietlyAsync(this NpgsqlRawCopyStream copy)
    {
        ArgumentNullException.ThrowIfNull(copy);
        try
        {
            await copy.CancelAsync();
        }
        catch (Exception exception) when (exception is NpgsqlException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }
}
