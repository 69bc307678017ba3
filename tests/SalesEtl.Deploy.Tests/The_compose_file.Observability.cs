using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SalesEtl.Deploy.Tests.Support;
using SalesEtl.TestSupport;

namespace SalesEtl.Deploy.Tests;

/// <summary>
/// The observability stack of docker-compose.yml wired to what runs next to it: Prometheus scrapes
/// compose services (inside its container <c>localhost</c> is Prometheus itself), Grafana gets every
/// setting its provisioning reads and finds the dashboards where the provider looks.
/// </summary>
public sealed partial class The_compose_file
{
    const string PrometheusConfigOption = "--config.file=";

    [Fact]
    public async Task Should_scrape_every_target_by_a_compose_service_and_a_port_it_listens_on()
    {
        var services = (await Compose.ResolvedAsync())["services"].Entries().ToDictionary(e => e.Key, e => (JsonObject)e.Value!);
        var config = Yaml.Load(await File.ReadAllTextAsync(await PrometheusConfigOnTheHostAsync()));
        var targets = ScrapeTargets(config).ToList();
        Assert.NotEmpty(targets);
        foreach (var (job, host, port, _) in targets)
        {
            Assert.True(services.ContainsKey(host), $"job {job}: {host} is not a compose service");
            Assert.True(ContainerPorts(host, services[host]).Contains(port), $"job {job}: {host} does not listen on {port}");
        }

        // The dashboards and alerts group by job: the same jobs as the local configuration.
        var localJobs = Yaml.LoadFile("deploy/prometheus/prometheus.yml")["scrape_configs"].Items().Select(j => j?["job_name"].Str());
        Assert.Equal(localJobs, config["scrape_configs"].Items().Select(j => j?["job_name"].Str()));

        // A static target of a replicated service would reach one replica; DNS lists them all.
        foreach (var (name, service) in services.Where(s => s.Value["deploy"]?["replicas"] is not null))
        {
            Assert.DoesNotContain(targets, t => t.Host == name && !t.Discovered);
            Assert.Contains(targets, t => t.Host == name && t.Discovered);
        }
    }

    [Fact]
    public async Task Should_give_Prometheus_the_alert_rules_its_configuration_loads()
    {
        var prometheus = await Compose.ServiceAsync("prometheus");
        var config = ContainerConfigPath(prometheus);
        var ruleFiles = Yaml.Load(await File.ReadAllTextAsync(await PrometheusConfigOnTheHostAsync()))["rule_files"].Items().Select(r => r.Str()!).ToList();
        Assert.NotEmpty(ruleFiles);
        foreach (var rules in ruleFiles)
        {
            var onHost = HostPath(prometheus, Path.Combine(Path.GetDirectoryName(config)!, rules));
            Assert.True(File.Exists(onHost), $"{rules}: {onHost} does not exist");
        }
        Assert.Contains(Path.Combine(RepositoryLayout.Root, "deploy", "prometheus", "alerts.yml"),
            ruleFiles.Select(r => HostPath(prometheus, Path.Combine(Path.GetDirectoryName(config)!, r))));
    }

    [Fact]
    public async Task Should_give_Grafana_every_variable_its_provisioning_reads()
    {
        var environment = (await Compose.ServiceAsync("grafana"))["environment"];
        var read = Directory.EnumerateFiles(Path.Combine(RepositoryLayout.Root, "grafana", "provisioning"), "*.yml", SearchOption.AllDirectories)
            .SelectMany(File.ReadLines)
            .Where(line => !line.TrimStart().StartsWith('#'))
            .SelectMany(line => ProvisioningVariable().Matches(line).Select(m => m.Groups["name"].Value))
            .Distinct()
            .ToList();
        Assert.Contains("ETL_PROMETHEUS_URL", read);   // guards against a parse that finds nothing
        foreach (var name in read)
            Assert.False(string.IsNullOrWhiteSpace(environment?[name].Str()), $"grafana/provisioning reads ${{{name}}}; compose's grafana service does not set it");

        // The data sources point at the compose services, on ports they listen on.
        var services = (await Compose.ResolvedAsync())["services"]!;
        var prometheus = new Uri(environment!["ETL_PROMETHEUS_URL"].Str()!);
        Assert.Contains(prometheus.Port, ContainerPorts(prometheus.Host, (JsonObject)services[prometheus.Host]!));
        var postgres = environment["ETL_POSTGRES_HOST"].Str()!.Split(':');
        Assert.Equal("postgres", postgres[0]);
        Assert.Contains(int.Parse(postgres[1], System.Globalization.CultureInfo.InvariantCulture), ContainerPorts("postgres", (JsonObject)services["postgres"]!));
    }

    [Fact]
    public async Task Should_mount_the_dashboards_where_the_dashboard_provider_reads_them()
    {
        var grafana = await Compose.ServiceAsync("grafana");
        var providers = Yaml.LoadFile("grafana/provisioning/dashboards/sales-etl.yml")["providers"].Items().ToList();
        Assert.NotEmpty(providers);
        foreach (var provider in providers)
        {
            var path = provider?["options"]?["path"].Str()!;
            Assert.Equal(Path.Combine(RepositoryLayout.Root, "grafana", "dashboards"), Mount(grafana, path));
        }
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(RepositoryLayout.Root, "grafana", "dashboards"), "*.json"));
    }

    /// <summary>Every target of every job: (job, host, port, found through DNS service discovery).</summary>
    static IEnumerable<(string Job, string Host, int Port, bool Discovered)> ScrapeTargets(JsonObject config)
    {
        foreach (var job in config["scrape_configs"].Items())
        {
            var name = job?["job_name"].Str() ?? "";
            foreach (var target in job?["static_configs"].Items().SelectMany(s => s?["targets"].Items() ?? []) ?? [])
            {
                var (host, port) = target.Str()!.Split(':') is [var h, var p] ? (h, p) : throw new InvalidOperationException($"job {name}: target {target} is not host:port");
                yield return (name, host, int.Parse(port, System.Globalization.CultureInfo.InvariantCulture), false);
            }
            foreach (var dns in job?["dns_sd_configs"].Items() ?? [])
            {
                Assert.Equal("A", dns?["type"].Str());
                foreach (var host in dns?["names"].Items() ?? [])
                    yield return (name, host.Str()!, int.Parse(dns!["port"].Str()!, System.Globalization.CultureInfo.InvariantCulture), true);
            }
        }
    }

    /// <summary>The ports a service listens on in the network: those it publishes or exposes, and 8080 for our programs.</summary>
    static HashSet<int> ContainerPorts(string name, JsonObject service)
    {
        var ports = service["ports"].Items().Concat(service["expose"].Items())
            .Select(p => p is JsonObject map ? map["target"]?.ToString() : p.Str()?.Split('/')[0].Split(':')[^1])
            .Select(p => int.Parse(p!, System.Globalization.CultureInfo.InvariantCulture))
            .ToHashSet();
        if (Programs.Services.Any(p => p.Name == name))
            ports.Add(Programs.ContainerPort);
        return ports;
    }

    static string ContainerConfigPath(JsonObject prometheus) =>
        prometheus["command"].Items().Select(c => c.Str()!).Single(c => c.StartsWith(PrometheusConfigOption, StringComparison.Ordinal))[PrometheusConfigOption.Length..];

    /// <summary>The file on the host that the prometheus container reads as its configuration.</summary>
    static async Task<string> PrometheusConfigOnTheHostAsync()
    {
        var prometheus = await Compose.ServiceAsync("prometheus");
        var file = HostPath(prometheus, ContainerConfigPath(prometheus));
        Assert.True(File.Exists(file), $"{file} (the prometheus container's configuration) does not exist");
        return file;
    }

    /// <summary>A container path as a host path, through the bind mount that holds it.</summary>
    static string HostPath(JsonObject service, string containerPath)
    {
        var mount = Volumes(service).Where(v => containerPath == v.Target || containerPath.StartsWith(v.Target + "/", StringComparison.Ordinal))
            .OrderByDescending(v => v.Target.Length).FirstOrDefault();
        Assert.True(mount.Source is not null, $"nothing is mounted at {containerPath}");
        return Path.Combine(mount.Source, containerPath[mount.Target.Length..].TrimStart('/'));
    }

    /// <summary><c>${NAME}</c> or <c>$NAME</c>, as Grafana expands them in provisioning files.</summary>
    [GeneratedRegex(@"\$(\{(?<name>[A-Za-z_][A-Za-z0-9_]*)\}|(?<name>[A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex ProvisioningVariable();
}
