namespace SalesEtl.Observability.Tests;

/// <summary>The Seq sink: every service of a run sends its events, each with the run id (and the chunk where there is one) and its service name.</summary>
[Collection(ObservedSystemCollection.Name)]
public sealed class Seq_logs_of_a_run(ObservedSystem system)
{
    [Fact]
    public async Task Every_service_should_send_events_of_the_run_with_RunId_and_Service()
    {
        var runId = system.SucceededRunId.ToString();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);   // the sink sends a batch every 2 s
        HashSet<string> services;
        do
        {
            services = RunEvents(runId).Select(e => e.Property("Service")!).ToHashSet(StringComparer.Ordinal);
            if (ObservedSystem.PipelineServices.All(services.Contains))
                break;
            await Task.Delay(500);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal(ObservedSystem.PipelineServices.Order(StringComparer.Ordinal), services.Order(StringComparer.Ordinal));
        Assert.All(system.Seq.ContentTypes, contentType => Assert.StartsWith(Support.SeqStub.ClefMediaType, contentType, StringComparison.Ordinal));

        var events = RunEvents(runId).ToList();
        Assert.All(events, e => Assert.False(string.IsNullOrEmpty(e.Property("@t")), $"no timestamp: {e}"));
        Assert.All(events, e => Assert.False(string.IsNullOrEmpty(e.Property("@mt")), $"no message template: {e}"));

        // Chunk work carries the chunk: every transformed and every staged chunk of the run (1,000 rows by 100).
        var transformedChunks = events.Where(e => e.Property("Service") == "transformer" && e.Property("@mt")!.StartsWith("Transformed chunk", StringComparison.Ordinal))
            .Select(e => int.Parse(e.Property("ChunkNo")!, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 10), transformedChunks);
        var stagedChunks = events.Where(e => e.Property("Service") == "ingestor" && e.Property("ChunkNo") is not null)
            .Select(e => int.Parse(e.Property("ChunkNo")!, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 10), stagedChunks);

        // The orchestrator tells the run's way through the saga.
        var transitions = events.Where(e => e.Property("Service") == "orchestrator" && e.Property("State") is not null).Select(e => e.Property("State")!).ToList();
        Assert.Equal(["Extracting", "Succeeded"], new[] { transitions[0], transitions[^1] });
    }

    [Fact]
    public void A_failed_run_should_be_found_by_its_RunId_with_the_reason()
    {
        var events = RunEvents(system.FailedRunId.ToString()).ToList();
        Assert.Contains(events, e => e.Property("Service") == "ingestor" && e.Property("Reason")?.Contains("quantity", StringComparison.Ordinal) == true);
        Assert.Contains(events, e => e.Property("Service") == "orchestrator" && e.Property("State") == "Failed");
    }

    [Fact]
    public async Task The_catalog_should_send_its_events_with_its_service_name()
    {
        // The catalog stand-in serves products to every run and knows of none: its events carry no RunId.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);   // the sink sends a batch every 2 s
        List<Support.SeqEvent> loaded;
        while ((loaded = CatalogLoadedEvents()).Count == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(500);

        var loadedEvent = Assert.Single(loaded);
        Assert.True(int.Parse(loadedEvent.Property("ItemCount")!, System.Globalization.CultureInfo.InvariantCulture) > 0, loadedEvent.ToString());
        Assert.EndsWith("products.json", loadedEvent.Property("ProductsFile"), StringComparison.Ordinal);
    }

    List<Support.SeqEvent> CatalogLoadedEvents() => system.Seq.Events
        .Where(e => e.Property("Service") == "catalog" && e.Property("@mt") == "Serving {ItemCount} product items from {ProductsFile}")
        .ToList();

    IEnumerable<Support.SeqEvent> RunEvents(string runId) => system.Seq.Events.Where(e => e.Property("RunId") == runId);
}
