using System.Text.RegularExpressions;
using SalesEtl.Orchestrator.StateMachines;
using SalesEtl.TestSupport;

namespace SalesEtl.IntegrationTests.Saga;

/// <summary>
/// The transitions the saga takes in code (<c>context.TransitionToState</c>), which MassTransit's graph
/// cannot see and <see cref="BatchRunGraph.ComputedTransitions"/> lists for the README's picture, checked
/// against BatchRunStateMachine.cs: a move added, removed or retargeted in code, or a method no longer
/// reached from a listed state, makes the list (and so the picture) stale and fails here.
/// </summary>
public sealed partial class The_computed_saga_transitions
{
    static readonly string Source = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "services", "SalesEtl.Orchestrator", "StateMachines", "BatchRunStateMachine.cs"));

    [Fact]
    public void Should_list_every_state_each_method_moves_to_in_code()
    {
        var methods = MethodBodies();
        var moving = methods.Where(m => TransitionTargets(m.Value).Count > 0).Select(m => m.Key).ToList();
        Assert.True(moving.Count >= 3, $"the parse found too few methods that move the run: {string.Join(", ", moving)}");
        foreach (var method in moving.Union(BatchRunGraph.ComputedTransitions.Select(t => t.Method)))
        {
            Assert.True(methods.ContainsKey(method), $"BatchRunGraph names {method}, which BatchRunStateMachine does not have");
            var listed = BatchRunGraph.ComputedTransitions.Where(t => t.Method == method).Select(t => t.To).ToHashSet();
            Assert.True(listed.SetEquals(TransitionTargets(methods[method])),
                $"{method} moves to {string.Join(", ", TransitionTargets(methods[method]).Order())} in code; BatchRunGraph lists {string.Join(", ", listed.Order())}");
        }
    }

    [Fact]
    public void Should_reach_each_listed_method_from_the_state_it_is_drawn_from()
    {
        var methods = MethodBodies();
        foreach (var transition in BatchRunGraph.ComputedTransitions)
        {
            var from = DuringBlocks().Where(b => Reaches(b.Body, transition.Method, methods)).SelectMany(b => b.States).ToHashSet();
            Assert.True(from.Contains(transition.From),
                $"{transition.From} --> {transition.To}: {transition.Method} is reached from {string.Join(", ", from.Order())} only");
        }
    }

    static HashSet<string> TransitionTargets(string body) => TransitionToState().Matches(body).Select(m => m.Groups["state"].Value).ToHashSet();

    /// <summary>Whether code calls <paramref name="method"/>, directly or through the machine's other methods.</summary>
    static bool Reaches(string code, string method, IReadOnlyDictionary<string, string> methods, HashSet<string>? seen = null)
    {
        seen ??= [];
        foreach (var name in Identifier().Matches(code).Select(m => m.Value).Where(methods.ContainsKey).Distinct())
        {
            if (name == method)
                return true;
            if (seen.Add(name) && Reaches(methods[name], method, methods, seen))
                return true;
        }
        return false;
    }

    /// <summary>Every method returning a Task, by name, with its body.</summary>
    static Dictionary<string, string> MethodBodies() =>
        TaskMethod().Matches(Source).ToDictionary(m => m.Groups["name"].Value, m => Balanced(Source.IndexOf('{', m.Index), '{', '}'));

    /// <summary>Each <c>During(State, State, …, activities)</c> block: its states and its text.</summary>
    static IEnumerable<(IReadOnlyList<string> States, string Body)> DuringBlocks() =>
        During().Matches(Source).Select(m =>
        {
            var body = Balanced(m.Index + m.Length - 1, '(', ')');
            var states = body[1..].Split(',').Select(s => s.Trim()).TakeWhile(s => Identifier().IsMatch(s) && Identifier().Match(s).Value == s).ToList();
            return ((IReadOnlyList<string>)states, body);
        });

    /// <summary>The text from the opening character at <paramref name="start"/> to its matching closing one.</summary>
    static string Balanced(int start, char open, char close)
    {
        var depth = 0;
        for (var i = start; i < Source.Length; i++)
        {
            depth += Source[i] == open ? 1 : Source[i] == close ? -1 : 0;
            if (depth == 0)
                return Source[start..(i + 1)];
        }
        throw new InvalidOperationException($"unbalanced {open} at {start}");
    }

    [GeneratedRegex(@"\bTask\s+(?<name>\w+)\s*\(")]
    private static partial Regex TaskMethod();

    [GeneratedRegex(@"\bTransitionToState\((?<state>\w+)\)")]
    private static partial Regex TransitionToState();

    [GeneratedRegex(@"\bDuring\(")]
    private static partial Regex During();

    [GeneratedRegex(@"\b[A-Za-z_]\w*\b")]
    private static partial Regex Identifier();
}
