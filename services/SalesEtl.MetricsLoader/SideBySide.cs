using SalesEtl.Data.Quality;

namespace SalesEtl.MetricsLoader;

/// <summary>Parts of a finalization that run at once, each on its own connection, PostgreSQL giving each a core.</summary>
static class SideBySide
{
    /// <summary>Runs the work side by side; when one part fails, the others are cancelled and its failure is thrown.</summary>
    public static async Task<IEnumerable<StepTiming>> RunAsync(
        CancellationToken cancellationToken, params Func<CancellationToken, Task<IReadOnlyList<StepTiming>>>[] work)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        async Task<IReadOnlyList<StepTiming>> CancelOthersOnFailure(Func<CancellationToken, Task<IReadOnlyList<StepTiming>>> part)
        {
            try
            {
                return await part(failed.Token);
            }
            catch
            {
                await failed.CancelAsync();
                throw;
            }
        }

        var parts = work.Select(CancelOthersOnFailure).ToArray();
        try
        {
            return (await Task.WhenAll(parts)).SelectMany(timings => timings);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested
            && parts.FirstOrDefault(part => part.IsFaulted && part.Exception!.InnerException is not OperationCanceledException) is { } cause)
        {
            // Task.WhenAll throws the first part's exception: the cancelled one's when another part failed.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause.Exception!.InnerException!);
            throw;
        }
    }

}
