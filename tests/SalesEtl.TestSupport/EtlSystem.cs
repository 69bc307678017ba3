namespace SalesEtl.TestSupport;

/// <summary>
/// The distributed system of a test fixture: a database and a virtual host of its own (both named after the
/// purpose) and every service started on them (<see cref="EtlTopology"/>). Disposed in the reverse order.
/// </summary>
public sealed class EtlSystem : IAsyncDisposable
{
    EtlSystem(TestDatabase database, TestVirtualHost virtualHost, EtlTopology topology)
    {
        Database = database;
        VirtualHost = virtualHost;
        Topology = topology;
    }

    public TestDatabase Database { get; }
    public TestVirtualHost VirtualHost { get; }
    public EtlTopology Topology { get; }

    /// <param name="environment">Extra settings for every service (see <see cref="EtlTopology.StartAsync"/>).</param>
    public static async Task<EtlSystem> StartAsync(string purpose, string productsFile, int transformers,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var database = await TestDatabase.CreateAsync(purpose);
        TestVirtualHost? virtualHost = null;
        try
        {
            virtualHost = await TestVirtualHost.CreateAsync(purpose);
            var topology = await EtlTopology.StartAsync(database, virtualHost, productsFile, transformers, environment);
            return new EtlSystem(database, virtualHost, topology);
        }
        catch
        {
            if (virtualHost is not null)
                await virtualHost.DisposeAsync();
            await database.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Topology.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
    }
}
