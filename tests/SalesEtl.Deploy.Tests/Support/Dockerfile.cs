using System.Text.Json;
using System.Text.RegularExpressions;

namespace SalesEtl.Deploy.Tests.Support;

/// <summary>One instruction: keyword (upper case), its flags (--name=value) and the rest of the line.</summary>
public sealed record Instruction(int Line, string Keyword, IReadOnlyDictionary<string, string> Flags, string Arguments)
{
    /// <summary>The arguments of an exec form (JSON array), or null for the shell form.</summary>
    public IReadOnlyList<string>? ExecForm =>
        Arguments.TrimStart().StartsWith('[') ? JsonSerializer.Deserialize<List<string>>(Arguments) : null;

    /// <summary>Words of a shell-form argument list (no quoting: the COPY/ARG lines of our Dockerfile have none).</summary>
    public IReadOnlyList<string> Words => Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"line {Line}: {Keyword} {Arguments}";
}

public sealed record Stage(string? Name, string From, IReadOnlyList<Instruction> Instructions)
{
    public IEnumerable<Instruction> Named(string keyword) => Instructions.Where(i => i.Keyword == keyword);
}

/// <summary>A small Dockerfile reader: comments, line continuations, stages. Enough for rule checks.</summary>
public sealed partial class Dockerfile
{
    public IReadOnlyList<Instruction> GlobalInstructions { get; }
    public IReadOnlyList<Stage> Stages { get; }

    Dockerfile(IReadOnlyList<Instruction> global, IReadOnlyList<Stage> stages)
    {
        GlobalInstructions = global;
        Stages = stages;
    }

    public static Dockerfile Parse(string text)
    {
        var instructions = new List<Instruction>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith('#'))
                continue;
            var start = i + 1;
            var logical = line.TrimEnd();
            while (logical.EndsWith('\\') && i + 1 < lines.Length)
            {
                logical = logical[..^1];
                var next = lines[++i];
                if (next.TrimStart().StartsWith('#'))
                    continue;
                logical += " " + next.Trim();
                logical = logical.TrimEnd();
            }
            var match = InstructionPattern().Match(logical.Trim());
            if (!match.Success)
                throw new FormatException($"line {start}: not an instruction: {logical}");
            var rest = match.Groups["rest"].Value.Trim();
            var flags = new Dictionary<string, string>(StringComparer.Ordinal);
            while (FlagPattern().Match(rest) is { Success: true } flag)
            {
                flags[flag.Groups["name"].Value] = flag.Groups["value"].Value;
                rest = rest[flag.Length..].TrimStart();
            }
            instructions.Add(new Instruction(start, match.Groups["keyword"].Value.ToUpperInvariant(), flags, rest));
        }

        var global = instructions.TakeWhile(i => i.Keyword != "FROM").ToList();
        var stages = new List<Stage>();
        foreach (var from in instructions.Skip(global.Count).Select((instruction, index) => (instruction, index)).Where(x => x.instruction.Keyword == "FROM"))
        {
            var words = from.instruction.Words;
            var body = instructions.Skip(global.Count + from.index + 1).TakeWhile(i => i.Keyword != "FROM").ToList();
            var name = words.Count >= 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null;
            stages.Add(new Stage(name, words[0], body));
        }
        return new Dockerfile(global, stages);
    }

    public Stage Stage(string name) => Stages.Single(s => s.Name == name);

    /// <summary>The stage and the stages it builds on, nearest last: FROM &lt;stage&gt; inherits USER, ENV, HEALTHCHECK….</summary>
    public IReadOnlyList<Stage> Chain(Stage stage)
    {
        var chain = new List<Stage> { stage };
        while (Stages.FirstOrDefault(s => s.Name == chain[0].From) is { } parent)
            chain.Insert(0, parent);
        return chain;
    }

    /// <summary>The last instruction of a kind in effect for a target (its own or inherited), or null.</summary>
    public Instruction? Effective(Stage target, string keyword) =>
        Chain(target).SelectMany(s => s.Instructions).LastOrDefault(i => i.Keyword == keyword);

    /// <summary>The image a target finally runs on (the FROM of the first stage of its chain).</summary>
    public string BaseImage(Stage target) => Chain(target)[0].From;

    [GeneratedRegex(@"^(?<keyword>[A-Za-z]+)(\s+(?<rest>.*))?$")]
    private static partial Regex InstructionPattern();

    [GeneratedRegex(@"^--(?<name>[a-z-]+)(=(?<value>\S*))?(\s|$)")]
    private static partial Regex FlagPattern();
}
