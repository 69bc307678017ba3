using System.Globalization;
using SalesEtl.TestSupport;

namespace SalesEtl.FaultTests.BadInput;

/// <summary>
/// Every service as its own process (as in the end-to-end tests) on a database and virtual host of their own,
/// with a small product catalog and a file size limit low enough to test (16 MiB).
/// </summary>
public sealed class BadInputSystemFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset AsOf = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
    public const long MaxFileBytes = 16 * 1024 * 1024;
    public const string Header = "transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel";

    public const string ProductsJson = """
        {"items": [
          {"product_id": "P1", "product_name": "Widget", "category": "tools", "manufacturer": "Acme", "base_price": 10.00, "stock_quantity": 100},
          {"product_id": "P2", "product_name": "Gadget", "category": "toys", "manufacturer": "Globex", "base_price": 25.50, "stock_quantity": 40}
        ]}
        """;

    readonly string folder = Path.Combine(Path.GetTempPath(), $"sales-etl-bad-input-{Guid.NewGuid():N}");

    EtlSystem system = null!;

    public TestDatabase Database => system.Database;
    public TestVirtualHost VirtualHost => system.VirtualHost;
    public EtlTopology Topology => system.Topology;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(folder);
        var products = Path.Combine(folder, "products.json");
        await File.WriteAllTextAsync(products, ProductsJson);
        system = await EtlSystem.StartAsync("badinput", products, transformers: 1,
            new Dictionary<string, string> { ["Inputs__MaxFileBytes"] = MaxFileBytes.ToString(CultureInfo.InvariantCulture) });
    }

    public async Task DisposeAsync()
    {
        if (system is not null)
            await system.DisposeAsync();
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
    }

    /// <summary>A file of this test run's folder with these bytes.</summary>
    public async Task<string> FileAsync(string name, byte[] content)
    {
        var path = Path.Combine(folder, name);
        await File.WriteAllBytesAsync(path, content);
        return path;
    }

    public Task<string> FileAsync(string name, string content) => FileAsync(name, System.Text.Encoding.UTF8.GetBytes(content));

    /// <summary><c>n</c> good rows of known products, transaction ids <c>{prefix}1…</c>.</summary>
    public static string GoodRows(int n, string prefix = "G") =>
        string.Concat(Enumerable.Range(1, n).Select(i => $"{prefix}{i},C{i % 7},P{1 + (i % 2)},2026-0{1 + (i % 9)}-1{i % 10},{1 + (i % 3)},{(1 + (i % 3)) * (i % 2 == 1 ? 25.50m : 10.00m):0.00},web\n"));

    /// <summary>Runs <c>etl run</c>, then <c>etl status</c>; asserts the exit code and returns the run id and the status text.</summary>
    public async Task<(Guid RunId, string Status)> RunAsync(string salesFile, int expectedExitCode, params string[] extraArgs)
    {
        var result = await Topology.RunEtlAsync(["run", salesFile, "--as-of", AsOf.ToString("O"), "--chunk-size", "50", "--timeout", "180", .. extraArgs]);
        Assert.True(result.ExitCode == expectedExitCode, $"etl run: {result}\n{Topology.Logs}");
        Assert.True(Guid.TryParse(result.FirstLine, out var runId), $"The first line of etl run is not a run id: {result}");
        var status = await Topology.RunEtlAsync("status", runId.ToString());
        Assert.True(status.ExitCode == 0, status.ToString());
        return (runId, status.StandardOutput);
    }

    public Task<long> CountAsync(string table, Guid runId, string where = "true") =>
        Database.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE run_id = '{runId}' AND {where}");

    /// <summary>No dead letter anywhere: every bad input ended as an outcome, not as a crash loop.</summary>
    public async Task AssertNoDeadLettersAsync()
    {
        var errors = await VirtualHost.NonEmptyErrorQueuesAsync();
        Assert.True(errors.Count == 0, $"Dead letters: {string.Join(", ", errors.Select(e => $"{e.Key}={e.Value}"))}\n{Topology.Logs}");
    }
}
