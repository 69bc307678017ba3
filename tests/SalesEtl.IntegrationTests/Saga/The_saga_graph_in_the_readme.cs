using Microsoft.Extensions.Options;
using SalesEtl.Orchestrator;
using SalesEtl.Orchestrator.StateMachines;
using SalesEtl.TestSupport;

namespace SalesEtl.IntegrationTests.Saga;

/// <summary>The README shows the saga's graph as the state machine draws it; a change to the saga must come with a new picture.</summary>
public sealed class The_saga_graph_in_the_readme
{
    const string Start = "<!-- saga-graph:start (generated from BatchRunStateMachine; ETL_UPDATE_SAGA_GRAPH=1 dotnet test --filter The_saga_graph rewrites it) -->";
    const string End = "<!-- saga-graph:end -->";

    [Fact]
    public void Should_be_the_graph_of_the_current_state_machine()
    {
        var expected = $"{Start}\n```mermaid\n{BatchRunGraph.ToMermaid(new BatchRunStateMachine(Options.Create(new OrchestratorOptions())))}```\n{End}";
        var readmePath = Path.Combine(RepositoryLayout.Root, "README.md");
        var readme = File.ReadAllText(readmePath);
        var from = readme.IndexOf(Start, StringComparison.Ordinal);
        var to = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, "README.md has no saga graph block.");
        var committed = readme[from..(to + End.Length)];
        if (committed != expected && Environment.GetEnvironmentVariable("ETL_UPDATE_SAGA_GRAPH") == "1")
        {
            File.WriteAllText(readmePath, readme[..from] + expected + readme[(to + End.Length)..]);
            return;
        }
        Assert.Equal(expected, committed);
    }
}
