using System.ComponentModel.DataAnnotations;

namespace SalesEtl.Ingestor.Inbox;

/// <summary>Section <c>Inbox</c>: a folder whose new files start runs (docs/STREAMING.md), validated at start.</summary>
public sealed class InboxOptions
{
    public const string Section = "Inbox";
    public const string ProcessedFolder = "processed";
    public const string FailedFolder = "failed";

    /// <summary>The watched folder (absolute); unset turns the watcher off (<c>Inbox__Folder</c>).</summary>
    public string? Folder { get; set; }

    /// <summary>How often the folder is looked at, in milliseconds.</summary>
    [Range(50, 3_600_000)] public int PollMs { get; set; } = 1000;

    /// <summary>A file is taken only when its size and time have not changed for this long (it is fully written), in milliseconds.</summary>
    [Range(0, 3_600_000)] public int SettleMs { get; set; } = 1000;

    /// <summary>Rows per chunk of inbox runs; unset means the orchestrator's default.</summary>
    [Range(1, 1_000_000)] public int? ChunkSize { get; set; }

    /// <summary>The product API of inbox runs; unset means the configured default.</summary>
    public string? ProductsUrl { get; set; }
}
