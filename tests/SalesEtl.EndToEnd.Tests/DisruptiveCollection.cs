namespace SalesEtl.EndToEnd.Tests;

/// <summary>
/// The <c>Category=Disruptive</c> tests, one at a time: a restart of the machine's PostgreSQL or RabbitMQ cuts every
/// other test's connections (seen: the up/down test's DROP DATABASE killed by the PostgreSQL restart beside it).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DisruptiveCollection
{
    public const string Name = "Disruptive";
}
