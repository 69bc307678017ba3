using System.Text.Json;
using SalesEtl.TestSupport;

namespace SalesEtl.EndToEnd.Tests.Benchmark;

/// <summary>
/// <c>etl bench</c> at a small size, so that the benchmark cannot rot: it must generate, start the whole system as
/// processes, run, time <c>psql \copy</c> and write its JSON with every field. No time is asserted (docs/PERFORMANCE.md
/// has the measured numbers).
/// </summary>
public sealed class Running_the_benchmark(Xunit.Abstractions.ITestOutputHelper output)
{
    const int Rows = 20_000;

    [Fact]
    public async Task Should_complete_and_write_every_field_of_its_json()
    {
        await EtlTopology.PublishAllAsync();
        var work = Directory.CreateTempSubdirectory("sales-etl-bench-test");
        var json = Path.Combine(work.FullName, "bench.json");
        try
        {
            var (exitCode, stdout, stderr) = await EtlTopology.RunEtlAsync(BrokerAndDatabase,
                "bench", "--rows", Rows.ToString(System.Globalization.CultureInfo.InvariantCulture), "--runs", "1", "--warmup", "1", "--transformers", "1",
                "--services", EtlTopology.PublishedRoot, "--work-dir", work.FullName, "--out", json);
            output.WriteLine(stdout);
            Assert.True(exitCode == 0, $"etl bench exited with {exitCode}\n{stdout}\n{stderr}\n{Logs(work.FullName)}");
            Assert.Contains("| median |", stdout, StringComparison.Ordinal);

            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            var root = document.RootElement;
            Assert.Equal(Rows, root.GetProperty("rows").GetInt64());
            Assert.True(root.GetProperty("file_bytes").GetInt64() > 0);
            var median = root.GetProperty("median");
            foreach (var field in new[] { "wall_seconds", "rows_per_second", "copy_seconds", "ratio_to_copy" })
                Assert.True(median.GetProperty(field).GetDouble() > 0, $"median.{field}");
            var steps = median.GetProperty("steps");
            foreach (var step in new[] { "ingest", "product_sync", "transform", "transform_after_ingest", "metrics" })
                Assert.Equal(JsonValueKind.Number, steps.GetProperty(step).ValueKind);

            var run = Assert.Single(root.GetProperty("run_results").EnumerateArray());
            Assert.Equal(1, run.GetProperty("run").GetInt32());
            // The warm-up run is reported apart and kept out of the medians.
            Assert.Equal(1, root.GetProperty("warmup_runs").GetInt32());
            var warmup = Assert.Single(root.GetProperty("warmup_results").EnumerateArray());
            Assert.Equal(0, warmup.GetProperty("run").GetInt32());
            Assert.Equal(Rows, warmup.GetProperty("rows_read").GetInt64());
            Assert.Equal(run.GetProperty("wall_seconds").GetDouble(), median.GetProperty("wall_seconds").GetDouble());
            Assert.Contains("| warm-up 1 |", stdout, StringComparison.Ordinal);
            Assert.Contains(run.GetProperty("state").GetString(), new[] { "Succeeded", "SucceededWithWarnings" });
            Assert.Equal(Rows, run.GetProperty("rows_read").GetInt64());

            var services = new[] { "catalog", "orchestrator", "ingestor", "product-sync", "transformer-1", "metrics-loader" };
            var peaks = root.GetProperty("peak_rss_mib");
            foreach (var service in services)
                Assert.True(peaks.GetProperty(service).GetDouble() > 0, $"peak_rss_mib.{service}");

            // Every .NET process spends CPU to start; the run's CPU per service is the median of its runs (one here).
            var startCpu = root.GetProperty("start_cpu_seconds");
            var runCpu = run.GetProperty("cpu_seconds");
            var medianCpu = root.GetProperty("median_cpu_seconds");
            foreach (var service in services)
            {
                Assert.True(startCpu.GetProperty(service).GetDouble() > 0, $"start_cpu_seconds.{service}");
                Assert.True(runCpu.GetProperty(service).GetDouble() >= 0, $"run_results[0].cpu_seconds.{service}");
                Assert.Equal(runCpu.GetProperty(service).GetDouble(), medianCpu.GetProperty(service).GetDouble());
            }
            Assert.True(runCpu.GetProperty("transformer-1").GetDouble() > 0, "the transformer did the run's work");
            // Every connection, psql's included, without TLS when PostgreSQL is on this machine and the connection string
            // names no mode (the test's names none); a named mode or another host keeps Npgsql's own choice.
            var sslMode = root.GetProperty("machine").GetProperty("postgres_ssl_mode").GetString();
            var given = new Npgsql.NpgsqlConnectionStringBuilder(BrokerAndDatabase["ConnectionStrings__Postgres"]);
            var expected = given.Host is "localhost" or "127.0.0.1" or "::1" && !BrokerAndDatabase["ConnectionStrings__Postgres"].Contains("ssl", StringComparison.OrdinalIgnoreCase)
                ? "Disable" : given.SslMode.ToString();
            Assert.Equal(expected, sslMode);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The bench makes its own database and virtual host; it needs the servers' addresses and an admin login.</summary>
    static Dictionary<string, string> BrokerAndDatabase
    {
        get
        {
            var (user, password) = TestInfrastructure.RabbitMqCredentials;
            return new Dictionary<string, string>
            {
                ["ConnectionStrings__Postgres"] = TestInfrastructure.PostgresAdmin,
                ["RabbitMq__Host"] = TestInfrastructure.RabbitMq.Host,
                ["RabbitMq__Port"] = (TestInfrastructure.RabbitMq.Port > 0 ? TestInfrastructure.RabbitMq.Port : 5672).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["RabbitMq__Username"] = user,
                ["RabbitMq__Password"] = password,
                ["RabbitMq__ManagementUrl"] = TestInfrastructure.RabbitMqManagement.ToString(),
            };
        }
    }

    static string Logs(string work)
    {
        var logs = Path.Combine(work, "logs");
        return Directory.Exists(logs)
            ? string.Join("\n", Directory.GetFiles(logs, "*.log", SearchOption.AllDirectories).Select(f => $"===== {Path.GetFileName(f)}\n{File.ReadAllText(f)}"))
            : "";
    }
}
