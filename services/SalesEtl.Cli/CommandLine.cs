namespace SalesEtl.Cli;

/// <summary>A parsed command line: positional arguments and <c>--name value</c> options (flags have no value).</summary>
public sealed class CommandLine
{
    readonly Dictionary<string, string?> options = new(StringComparer.Ordinal);

    public string? Command { get; }
    public IReadOnlyList<string> Arguments { get; }

    CommandLine(string? command, List<string> arguments)
    {
        Command = command;
        Arguments = arguments;
    }

    /// <param name="flags">Options that take no value.</param>
    public static CommandLine Parse(IReadOnlyList<string> args, IReadOnlySet<string> flags)
    {
        var positional = new List<string>();
        var parsed = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var eq = arg.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                    parsed[arg[..eq]] = arg[(eq + 1)..];
                else if (flags.Contains(arg))
                    parsed[arg] = null;
                else if (i + 1 < args.Count)
                    parsed[arg] = args[++i];
                else
                    throw new UsageException($"Option {arg} needs a value.");
            }
            else
            {
                positional.Add(arg);
            }
        }

        var line = new CommandLine(positional.Count > 0 ? positional[0] : null, positional.Skip(1).ToList());
        foreach (var (key, value) in parsed)
            line.options[key] = value;
        return line;
    }

    public bool Has(string option) => options.ContainsKey(option);

    public string? Value(string option) => options.TryGetValue(option, out var value) ? value : null;

    public string Argument(int index, string name) =>
        index < Arguments.Count ? Arguments[index] : throw new UsageException($"Missing argument <{name}>.");

    public Guid RunId(int index) =>
        Guid.TryParse(Argument(index, "run-id"), out var id) ? id : throw new UsageException($"'{Arguments[index]}' is not a run id.");

    /// <summary>The sales file of <c>etl run</c>, which must exist, as an absolute path.</summary>
    public string ExistingFile(int index, string name)
    {
        var path = Path.GetFullPath(Argument(index, name));
        return File.Exists(path) ? path : throw new UsageException($"The file '{path}' does not exist.");
    }

    /// <summary><c>--as-of</c> (an ISO date and time, UTC when it names no offset), or now.</summary>
    public DateTimeOffset AsOf() =>
        Value("--as-of") is { } text
            ? DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed.ToUniversalTime()
                : throw new UsageException($"--as-of '{text}' is not an ISO date and time.")
            : DateTimeOffset.UtcNow;

    /// <summary><c>--chunk-size</c>, or null for the service's default.</summary>
    public int? ChunkSize() =>
        Value("--chunk-size") is { } size
            ? int.TryParse(size, out var n) && n > 0 ? n : throw new UsageException("--chunk-size must be a positive whole number.")
            : null;

    /// <summary><c>--timeout</c> in seconds for following a run; an hour when absent or not a positive number.</summary>
    public TimeSpan FollowTimeout() =>
        TimeSpan.FromSeconds(Value("--timeout") is { } t && int.TryParse(t, out var seconds) && seconds > 0 ? seconds : 3600);

    public void RejectUnknown(params string[] known)
    {
        var unknown = options.Keys.Where(k => !known.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new UsageException($"Unknown option(s): {string.Join(", ", unknown)}.");
    }
}

/// <summary>The command line was wrong: print the message and the usage, exit 64.</summary>
public sealed class UsageException(string message) : Exception(message);
