using System.Text;

namespace SalesEtl.Pipeline.Metrics;

/// <summary>
/// The sales channels of a run, each given a small number in the order first seen, so that a customer's channels fit
/// one 64-bit mask. Shared by the readers of one run (thread-safe); the normalizer makes six channels at most
/// (<see cref="Sales.SalesChannels.All"/>), and a 65th fails the run rather than losing a count.
/// </summary>
public sealed class SalesChannelIndex
{
    public const int MaxChannels = 64;

    readonly Lock gate = new();
    volatile byte[][] names = [];

    /// <summary>The channels numbered so far, by number.</summary>
    public IReadOnlyList<string> Names => names.Select(n => Encoding.UTF8.GetString(n)).ToArray();

    public int Count => names.Length;

    /// <summary>The number of a channel (UTF-8), given one when first seen.</summary>
    public int IndexOf(ReadOnlySpan<byte> channel)
    {
        var known = names;
        for (var i = 0; i < known.Length; i++)
        {
            if (channel.SequenceEqual(known[i]))
                return i;
        }
        return Add(channel);
    }

    int Add(ReadOnlySpan<byte> channel)
    {
        lock (gate)
        {
            var known = names;
            for (var i = 0; i < known.Length; i++)
            {
                if (channel.SequenceEqual(known[i]))
                    return i;
            }
            if (known.Length == MaxChannels)
                throw new InvalidOperationException($"The run has more than {MaxChannels} sales channels; the metrics count a customer's channels in a 64-bit mask.");
            names = [.. known, channel.ToArray()];
            return known.Length;
        }
    }
}
