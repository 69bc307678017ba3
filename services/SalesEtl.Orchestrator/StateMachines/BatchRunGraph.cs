using MassTransit;
using MassTransit.SagaStateMachine;

namespace SalesEtl.Orchestrator.StateMachines;

/// <summary>The saga's transitions as a Mermaid state diagram, drawn from the state machine itself (MassTransit's graph).</summary>
public static class BatchRunGraph
{
    public static string ToMermaid(BatchRunStateMachine machine)
    {
        var graph = machine.GetGraph();
        var transitions = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var toEvent in graph.Edges.Where(e => IsState(e.From) && !IsState(e.To)))
        {
            foreach (var toState in graph.Edges.Where(e => e.From.Equals(toEvent.To) && IsState(e.To)))
            {
                if (toState.To.Title != toEvent.From.Title)
                    transitions.Add($"    {toEvent.From.Title} --> {toState.To.Title} : {toEvent.To.Title}");
            }
        }

        // Transitions the machine takes in code (context.TransitionToState), which MassTransit's graph cannot see.
        foreach (var (from, to, reason, _) in ComputedTransitions)
            transitions.Add($"    {from} --> {to} : {reason}");

        return string.Join('\n', ["stateDiagram-v2", "    [*] --> Initial", .. transitions]) + "\n";
    }

    /// <summary>
    /// Transitions taken in code by <see cref="Method"/> of <see cref="BatchRunStateMachine"/>, reached from
    /// <see cref="From"/>. Only the ones the run's data allows are listed (a stalled run in Loading is never sent
    /// back to Extracting); the saga graph test checks each against the code: the method exists, moves to
    /// <see cref="To"/> and is reached from <see cref="From"/>, and every move in code is listed.
    /// </summary>
    public sealed record ComputedTransition(string From, string To, string Reason, string Method);

    public static readonly IReadOnlyList<ComputedTransition> ComputedTransitions =
    [
        new("Extracting", "Transforming", "ingest and product sync done", "AdvanceAsync"),
        new("Extracting", "Loading", "every chunk transformed", "AdvanceAsync"),
        new("Transforming", "Loading", "every chunk transformed", "AdvanceAsync"),
        new("Extracting", "Failed", "StepTimedOut, re-drives spent", "OnStalledAsync"),
        new("Transforming", "Failed", "StepTimedOut, re-drives spent", "OnStalledAsync"),
        new("Loading", "Failed", "StepTimedOut, re-drives spent", "OnStalledAsync"),
        new("Failed", "Extracting", "RetryRequested, ingest or sync missing", "RedispatchPendingAsync"),
        new("Failed", "Transforming", "RetryRequested, chunks missing", "RedispatchPendingAsync"),
        new("Failed", "Loading", "RetryRequested, metrics missing", "RedispatchPendingAsync"),
    ];

    static bool IsState(Vertex vertex) => typeof(State).IsAssignableFrom(vertex.VertexType);
}
