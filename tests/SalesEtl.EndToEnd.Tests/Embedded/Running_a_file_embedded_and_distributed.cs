using System.Diagnostics;
using SalesEtl.EndToEnd.Tests.Distributed;

namespace SalesEtl.EndToEnd.Tests.Embedded;

/// <summary>Every service as its own process on PostgreSQL and RabbitMQ (the test's own database and virtual host), to compare with embedded runs.</summary>
public sealed class EmbeddedComparisonFixture() : DistributedSystem(transformers: 2, purpose: "e2e_embedded");

/// <summary>The same generated file through the distributed system and through <c>etl run --embedded</c>: identical exported tables.</summary>
public sealed class Running_a_file_embedded_and_distributed(EmbeddedComparisonFixture system, Xunit.Abstractions.ITestOutputHelper output)
    : IClassFixture<EmbeddedComparisonFixture>
{
    [Fact]
    public async Task Should_export_identical_tables()
    {
        var dir = Running_a_file_embedded.NewFolder("embedded-vs-distributed");
        var generate = await system.Topology.RunEtlAsync("generate", "--rows", "3000", "--seed", "7", "--out", dir, "--bom", "--crlf", "--shuffle-columns", "--extra-columns");
        Assert.True(generate.ExitCode == 0, generate.ToString());
        var salesFile = Path.Combine(dir, "sales.csv");
        // The catalog stand-in of the topology serves the fixture's products: the embedded run reads the same file.
        var products = DistributedSystem.FixtureFile("products.json");

        var watch = Stopwatch.StartNew();
        var distributed = await system.ExportAsync(await system.RunAsync(salesFile, chunkSize: 211));
        output.WriteLine($"distributed: {watch.Elapsed.TotalSeconds:0.0} s");
        watch.Restart();
        var database = Path.Combine(dir, "embedded.db");
        var embeddedRun = await Running_a_file_embedded.RunEmbeddedAsync(salesFile, database, chunkSize: 500, extra: ["--products", products]);
        output.WriteLine($"embedded: {watch.Elapsed.TotalSeconds:0.0} s");
        var embedded = await Running_a_file_embedded.ExportEmbeddedAsync(embeddedRun, database);

        ExportComparison.AssertSameTables(distributed, embedded);
    }
}
