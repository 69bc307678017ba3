using System.Security.Cryptography;
using MassTransit;
using Microsoft.Extensions.Options;
using SalesEtl.Contracts;
using SalesEtl.Data.Runs;
using SalesEtl.Data.Streaming;

namespace SalesEtl.Ingestor.Inbox;

/// <summary>
/// Watches <c>Inbox:Folder</c>: a new file starts one run by message. The file's SHA-256 is claimed in
/// PostgreSQL (unique key) before <see cref="StartBatchRun"/> is published, so the same bytes twice, or a
/// restarted watcher looking at a file in flight, start no second run. The file stays where it is while its
/// run reads it and is moved to <c>processed/</c> or <c>failed/</c> once the run is final; a duplicate file
/// goes to <c>processed/</c> at once. Polling, not FileSystemWatcher: it works on shared volumes and after a restart.
/// </summary>
public sealed class InboxWatcher(InboxClaims claims, IBus bus, IOptions<InboxOptions> options, ILogger<InboxWatcher> logger) : BackgroundService
{
    static readonly HashSet<string> FinalStates = ["Succeeded", "SucceededWithWarnings", "Failed", RunStates.Cancelled];

    readonly Dictionary<string, (long Length, DateTime WrittenAt, DateTime SeenSince)> candidates = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.Folder))
            return;
        var folder = Path.GetFullPath(settings.Folder);
        Directory.CreateDirectory(folder);
        Directory.CreateDirectory(Path.Combine(folder, InboxOptions.ProcessedFolder));
        Directory.CreateDirectory(Path.Combine(folder, InboxOptions.FailedFolder));
        logger.LogInformation("Watching the inbox {Folder}", folder);

        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(settings.PollMs));
        do
        {
            try
            {
                await LookAsync(folder, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Looking at the inbox failed; trying again on the next look");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    async Task LookAsync(string folder, CancellationToken cancellationToken)
    {
        // 1. Claims in flight: announce the ones never published, move the files whose run is final.
        var inFlight = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (claim, state) in await claims.UnfinishedAsync(cancellationToken))
        {
            if (!claim.Published)
                await PublishAsync(claim, cancellationToken);
            if (state is not null && FinalStates.Contains(state))
            {
                var outcome = state == "Failed" || state == RunStates.Cancelled ? InboxOptions.FailedFolder : InboxOptions.ProcessedFolder;
                if (File.Exists(claim.Path))
                    MoveTo(claim.Path, Path.Combine(folder, outcome), claim.RunId);
                await claims.MarkFinishedAsync(claim.Checksum, outcome, cancellationToken);
                logger.LogInformation("Inbox file {FileName} moved to {Outcome}/: run {RunId} is {State}", claim.FileName, outcome, claim.RunId, state);
            }
            else
            {
                inFlight.Add(claim.Path);
            }
        }

        // 2. New files, once fully written.
        var now = DateTime.UtcNow;
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(folder))
        {
            var name = Path.GetFileName(path);
            if (name.StartsWith('.') || name.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".part", StringComparison.OrdinalIgnoreCase)
                || inFlight.Contains(path))
                continue;
            present.Add(path);
            var info = new FileInfo(path);
            if (!candidates.TryGetValue(path, out var seen) || seen.Length != info.Length || seen.WrittenAt != info.LastWriteTimeUtc)
            {
                candidates[path] = (info.Length, info.LastWriteTimeUtc, now);
                if (options.Value.SettleMs > 0)
                    continue;
            }
            else if ((now - seen.SeenSince).TotalMilliseconds < options.Value.SettleMs)
            {
                continue;
            }

            candidates.Remove(path);
            await TakeAsync(folder, path, cancellationToken);
        }
        foreach (var gone in candidates.Keys.Where(p => !present.Contains(p)).ToList())
            candidates.Remove(gone);
    }

    async Task TakeAsync(string folder, string path, CancellationToken cancellationToken)
    {
        string checksum;
        try
        {
            checksum = await ChecksumAsync(path, cancellationToken);
        }
        catch (IOException exception)
        {
            logger.LogWarning(exception, "Inbox file {Path} cannot be read yet", path);
            return;
        }

        var (claim, isNew) = await claims.ClaimAsync(checksum, path, cancellationToken);
        if (isNew)
        {
            logger.LogInformation("Inbox file {FileName} (SHA-256 {Checksum}) starts run {RunId}", claim.FileName, checksum, claim.RunId);
            await PublishAsync(claim, cancellationToken);
        }
        else if (claim.Finished || !string.Equals(claim.Path, path, StringComparison.Ordinal))
        {
            // The same bytes again (another name, or dropped again later): no second run.
            MoveTo(path, Path.Combine(folder, InboxOptions.ProcessedFolder), claim.RunId);
            logger.LogInformation("Inbox file {FileName} has the same content as {ClaimedFile} (run {RunId}): no new run, moved to processed/",
                Path.GetFileName(path), claim.FileName, claim.RunId);
        }
    }

    async Task PublishAsync(InboxClaim claim, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        await bus.Publish(new StartBatchRun(claim.RunId, claim.Path, now, options.Value.ProductsUrl, options.Value.ChunkSize, now), cancellationToken);
        await claims.MarkPublishedAsync(claim.Checksum, cancellationToken);
    }

    static async Task<string> ChecksumAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
    }

    /// <summary>Moves a file into a folder, keeping its name unless that name is taken there.</summary>
    static void MoveTo(string path, string targetFolder, Guid runId)
    {
        Directory.CreateDirectory(targetFolder);
        var target = Path.Combine(targetFolder, Path.GetFileName(path));
        if (File.Exists(target))
            target = Path.Combine(targetFolder, $"{Path.GetFileNameWithoutExtension(path)}.{runId:N}.{Guid.NewGuid():N}" + Path.GetExtension(path));
        File.Move(path, target);
    }
}
