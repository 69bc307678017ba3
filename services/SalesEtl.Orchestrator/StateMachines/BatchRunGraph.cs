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
        foreach (var (from, to, reason) in ComputedTransitions)
            transitions.Add($"    {from} --> {to} : {reason}");

        return string.Join('\n', ["stateDiagram-v2", "    [*] --> Initial", .. transitions]) + "\n";
    }

    /// <summary>Kept next to <see cref="BatchRunStateMachine"/>'s AdvanceAsync, RedispatchPendingAsync and OnStalledAsync.</summary>
    static readonly (string From, string To, string Reason)[] ComputedTransitions =
    [
        ("Extracting", "Transforming", "ingest and product sync done"),
        ("Extracting", "Loading", "every chunk transformed"),
        ("Transforming", "Loading", "every chunk transformed"),
        ("Extracting", "Failed", "StepTimedOut, re-drives spent"),
        ("Transforming", "Failed", "StepTimedOut, re-drives spent"),
        ("Loading", "Failed", "StepTimedOut, re-drives spent"),
        ("Failed", "Extracting", "RetryRequested, ingest or sync missing"),
        ("Failed", "Transforming", "RetryRequested, chunks missing"),
        ("Failed", "Loading", "RetryRequested, metrics missing"),
    ];

    static bool IsState(Vertex vertex) => typeof(State).IsAssignableFrom(vertex.VertexType);
}
