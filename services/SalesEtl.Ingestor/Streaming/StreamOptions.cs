using System.ComponentModel.DataAnnotations;

namespace SalesEtl.Ingestor.Streaming;

/// <summary>Section <c>Stream</c>: how sale events are batched and cut into windows (docs/STREAMING.md), validated at start.</summary>
public sealed class StreamOptions
{
    public const string Section = "Stream";

    /// <summary>A window closes once it holds this many events (<c>Stream__WindowMaxEvents</c>).</summary>
    [Range(1, 10_000_000)] public int WindowMaxEvents { get; set; } = 100_000;

    /// <summary>A window closes this many seconds after its first event arrived (<c>Stream__WindowSeconds</c>).</summary>
    [Range(0.1, 86_400)] public double WindowSeconds { get; set; } = 60;

    /// <summary>Rows per staged chunk of a window's run.</summary>
    [Range(1, 1_000_000)] public int ChunkSize { get; set; } = 10_000;

    /// <summary>Events per batch of the batch consumer, and the longest wait for a batch to fill, in milliseconds.</summary>
    [Range(1, 5_000)] public int BatchMaxEvents { get; set; } = 500;

    [Range(1, 60_000)] public int BatchTimeLimitMs { get; set; } = 200;

    /// <summary>Batches consumed at once.</summary>
    [Range(1, 32)] public int BatchConcurrency { get; set; } = 2;

    /// <summary>How often the window closer looks at the open window, in milliseconds.</summary>
    [Range(10, 60_000)] public int CloseCheckMs { get; set; } = 250;

    /// <summary>The as-of time of every window's run; unset means the window's close time (tests and replays pin it).</summary>
    public DateTimeOffset? AsOf { get; set; }

    /// <summary>The product API of window runs; unset means the configured default.</summary>
    public string? ProductsUrl { get; set; }

    /// <summary>False stops the window closer (another replica or process closes windows).</summary>
    public bool CloseWindows { get; set; } = true;
}
