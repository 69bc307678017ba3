using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SalesEtl.Deploy.Tests.Support;
using SalesEtl.TestSupport;
using YamlDotNet.RepresentationModel;

namespace SalesEtl.Deploy.Tests;

/// <summary>docker-compose.yml, validated by Debian's docker-compose 1.29 and by the rules of issue 7.</summary>
public sealed partial class The_compose_file
{
    static readonly string[] Infrastructure = ["postgres", "rabbitmq", "seq", "prometheus", "grafana"];

    [Fact]
    public async Task Should_be_accepted_by_docker_compose_config()
    {
        var result = await Compose.RunAsync(Compose.EnvExample, "config", "-q");
        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal("", result.Error.Trim());
    }

    [Fact]
    public async Task Should_refuse_to_start_without_credentials()
    {
        var empty = Path.Combine(RepositoryLayout.Root, ".local", "deploy-tests", "empty.env");
        Directory.CreateDirectory(Path.GetDirectoryName(empty)!);
        await File.WriteAllTextAsync(empty, "");
        var result = await Compose.RunAsync(empty, "config", "-q");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Missing mandatory value", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_check_the_health_of_every_long_running_service()
    {
        var services = (await Compose.ResolvedAsync())["services"].Entries().ToList();
        Assert.NotEmpty(services);
        foreach (var (name, service) in services)
        {
            var test = service?["healthcheck"]?["test"].Items().Select(t => t.Str()).ToList() ?? [];
            if (IsOneShotTool(service))
            {
                // A run-to-completion tool says so explicitly: `healthcheck: disable: true`.
                Assert.True(test is ["NONE"], $"{name}: a one-shot tool disables its health check explicitly");
                continue;
            }
            Assert.True(test.Count > 1 && test[0] is "CMD" or "CMD-SHELL", $"{name} has no health check");
            Assert.Null(service!["healthcheck"]!["start_interval"]);
        }
    }

    [Theory]
    [MemberData(nameof(Programs.ServiceData), MemberType = typeof(Programs))]
    public async Task Should_probe_a_service_on_its_health_endpoint(string name)
    {
        var test = string.Join(' ', (await Compose.ServiceAsync(name))["healthcheck"]?["test"].Items().Select(t => t.Str()) ?? []);
        Assert.Matches($@"http://127\.0\.0\.1:{Programs.ContainerPort}/health/(ready|live)\b", test);
    }

    [Fact]
    public async Task Should_start_each_service_only_when_what_it_needs_is_healthy()
    {
        var services = (await Compose.ResolvedAsync())["services"].Entries().ToDictionary();
        foreach (var (name, service) in services)
            foreach (var (dependency, condition) in service?["depends_on"].Entries() ?? [])
                Assert.True(condition?["condition"].Str() == "service_healthy", $"{name} -> {dependency}: condition service_healthy");

        string[] Needs(string service) => services[service]?["depends_on"].Entries().Select(e => e.Key).ToArray() ?? [];
        foreach (var program in Programs.All.Where(p => p.UsesServiceDefaults))
        {
            Assert.Contains("postgres", Needs(program.Name));
            Assert.Contains("rabbitmq", Needs(program.Name));
            if (program != Programs.Orchestrator)
                Assert.Contains("orchestrator", Needs(program.Name)); // the orchestrator migrates the schema first
        }
        Assert.Contains("catalog", Needs(Programs.ProductSync.Name));
        Assert.Contains("orchestrator", Needs(Programs.Etl.Name));
    }

    [Fact]
    public void Should_hold_no_credential_as_a_literal()
    {
        var problems = new List<string>();
        Scan(Yaml.RawRoot(Compose.Text), "", problems);
        Assert.Empty(problems);
    }

    [Fact]
    public void Should_scan_credentials_well_enough_to_catch_a_literal()
    {
        // The scanner itself, on the shapes a credential takes in a compose file.
        var problems = new List<string>();
        Scan(Yaml.RawRoot("""
            services:
              a:
                environment:
                  POSTGRES_PASSWORD: hunter2
                  RabbitMq__Password: ${RABBITMQ_PASSWORD:-guest}
                  ConnectionStrings__Postgres: Host=db;Username=etl;Password=etl
                  Url: amqp://etl:etl@rabbitmq:5672/
                  ok: ${SECRET_TOKEN:?required}
                  Api__Keys__0: some-long-api-key-value
              b:
                environment:
                  - GF_SECURITY_ADMIN_PASSWORD=admin
            """), "", problems);
        Assert.Equal(6, problems.Count);
    }

    [Fact]
    public async Task Should_give_the_orchestrator_its_API_key_from_the_env_file()
    {
        // Outside Development the orchestrator refuses to start without one (Api:Keys, 16 characters or more).
        var key = (await Compose.ServiceAsync(Programs.Orchestrator.Name))["environment"]?["Api__Keys__0"].Str();
        Assert.NotNull(key);
        Assert.True(key.Length >= 16);
        Assert.Contains("${ORCHESTRATOR_API_KEY:?", Compose.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_define_every_variable_in_the_example_env_file_and_require_every_credential()
    {
        // Every scalar of the file as written (comments left out).
        var text = string.Join('\n', Yaml.RawRoot(Compose.Text).AllNodes.OfType<YamlScalarNode>().Select(n => n.Value));
        var example = File.ReadAllLines(Path.Combine(RepositoryLayout.Root, Compose.EnvExample))
            .Where(l => l.Contains('=', StringComparison.Ordinal) && !l.TrimStart().StartsWith('#'))
            .Select(l => l.Split('=', 2)[0].Trim())
            .ToHashSet();
        var references = VariablePattern().Matches(text).Select(m => (Name: m.Groups["name"].Value, Operator: m.Groups["op"].Value)).ToList();
        Assert.NotEmpty(references);
        foreach (var name in references.Select(r => r.Name).Distinct())
            Assert.True(example.Contains(name), $"{name} is used by {Compose.File} but not in {Compose.EnvExample}");

        // Credentials have no default, and compose stops when one is missing (":?" where its server is defined).
        foreach (var name in references.Select(r => r.Name).Distinct().Where(n => SecretName().IsMatch(n) || n.EndsWith("_USER", StringComparison.Ordinal)))
        {
            Assert.DoesNotContain(references, r => r.Name == name && r.Operator is ":-" or "-");
            Assert.Contains(references, r => r.Name == name && r.Operator == ":?");
        }
    }

    [Theory]
    [MemberData(nameof(Programs.AllData), MemberType = typeof(Programs))]
    public async Task Should_build_each_program_from_the_Dockerfile_pattern(string name)
    {
        var program = Programs.Named(name);
        var service = await Compose.ServiceAsync(name);
        var build = service["build"]!;
        Assert.Equal(RepositoryLayout.Root, build["context"].Str());
        Assert.Equal("deploy/docker/Dockerfile", build["dockerfile"].Str());
        Assert.Equal(program.Project, build["args"]?["PROJECT"].Str());
        Assert.Equal(program.Dll, build["args"]?["APP_DLL"].Str());
        Assert.Equal(program.DockerTarget, build["target"].Str() ?? "service");
        Assert.Equal($"sales-etl/{name}:latest", service["image"].Str());
    }

    [Theory]
    [MemberData(nameof(Programs.AllData), MemberType = typeof(Programs))]
    public async Task Should_run_each_program_read_only_without_privileges(string name)
    {
        var service = await Compose.ServiceAsync(name);
        Assert.Equal("true", service["read_only"]?.ToString().ToLowerInvariant());
        Assert.Contains("/tmp", service["tmpfs"].Items().Select(t => t.Str()));
        Assert.Contains("ALL", service["cap_drop"].Items().Select(t => t.Str()));
        Assert.Contains("no-new-privileges:true", service["security_opt"].Items().Select(t => t.Str()));
        Assert.Null(service["user"]); // the image's USER 1654
    }

    [Fact]
    public async Task Should_run_several_transformers_as_competing_consumers()
    {
        var transformer = await Compose.ServiceAsync(Programs.Transformer.Name);
        Assert.True(int.Parse(transformer["deploy"]?["replicas"]?.ToString() ?? "1", System.Globalization.CultureInfo.InvariantCulture) >= 2);
        Assert.Null(transformer["ports"]);          // replicas cannot share a host port
        Assert.Null(transformer["container_name"]); // nor a name
    }

    [Fact]
    public async Task Should_share_the_input_folder_between_the_ingestor_and_the_etl_tool()
    {
        var ingestor = await Compose.ServiceAsync(Programs.Ingestor.Name);
        var orchestrator = await Compose.ServiceAsync(Programs.Orchestrator.Name);
        var etl = await Compose.ServiceAsync(Programs.Etl.Name);
        // The ingestor reads only under its allowed roots; the orchestrator's runs API checks paths the same way.
        Assert.Equal("/data/in", ingestor["environment"]?["Inputs__AllowedRoots__0"].Str());
        Assert.Equal("/data/in", orchestrator["environment"]?["Inputs__AllowedRoots__0"].Str());
        var ingestorInput = Mount(ingestor, "/data/in");
        Assert.Equal(ingestorInput, Mount(orchestrator, "/data/in"));
        var etlInput = Mount(etl, "/data/in");
        Assert.All(new[] { ingestor, orchestrator, etl }.SelectMany(Volumes).Where(v => v.Target == "/data/in"), v => Assert.True(v.ReadOnly, "input is mounted read-only"));
        Assert.Equal(ingestorInput, etlInput);
        // The file the etl tool names by default lies in that folder (the tool checks that it exists).
        Assert.Equal(["run", "/data/in/sales.csv"], etl["command"].Items().Select(c => c.Str()));
        Assert.True(File.Exists(Path.Combine(ingestorInput, "sales.csv")), $"{ingestorInput}/sales.csv");
    }

    [Fact]
    public async Task Should_serve_the_sample_products_from_the_catalog()
    {
        var catalog = await Compose.ServiceAsync(Programs.Catalog.Name);
        var file = catalog["environment"]?["Catalog__ProductsFile"].Str();
        Assert.NotNull(file);
        Assert.Equal(Path.Combine(RepositoryLayout.Root, "samples", "products.json"), Mount(catalog, file));
        Assert.Equal("http://catalog:8080", (await Compose.ServiceAsync(Programs.ProductSync.Name))["environment"]?["ProductSync__DefaultProductsUrl"].Str());
    }

    [Fact]
    public async Task Should_run_RabbitMQ_with_the_management_and_prometheus_plugins()
    {
        var rabbitmq = await Compose.ServiceAsync("rabbitmq");
        var plugins = File.ReadAllText(Mount(rabbitmq, "/etc/rabbitmq/enabled_plugins"));
        Assert.Matches(@"^\[\s*rabbitmq_management\s*,\s*rabbitmq_prometheus\s*\]\.\s*$", plugins);
        // Short syntax ("127.0.0.1:15692:15692/tcp") or long ({target: 15692}).
        Assert.Contains(rabbitmq["ports"].Items(), p => p is JsonObject map ? map["target"]?.ToString() == "15692" : p.Str()?.Split('/')[0].EndsWith(":15692", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Should_run_the_observability_stack_from_the_repository_configuration()
    {
        var services = (await Compose.ResolvedAsync())["services"].Entries().Select(e => e.Key).ToList();
        Assert.All(Infrastructure, name => Assert.Contains(name, services));
        Assert.Equal(Path.Combine(RepositoryLayout.Root, "deploy", "prometheus"), Mount(await Compose.ServiceAsync("prometheus"), "/etc/prometheus"));
        Assert.Contains("--config.file=/etc/prometheus/prometheus.compose.yml", (await Compose.ServiceAsync("prometheus"))["command"].Items().Select(c => c.Str()));
        Assert.Equal(Path.Combine(RepositoryLayout.Root, "grafana", "provisioning"), Mount(await Compose.ServiceAsync("grafana"), "/etc/grafana/provisioning"));
        // Every service, the catalog too: its logging is the shared one (AddEtlLogging).
        foreach (var program in Programs.Services)
            Assert.Equal("http://seq:5341", (await Compose.ServiceAsync(program.Name))["environment"]?["Seq__ServerUrl"].Str());
    }

    [Fact]
    public async Task Should_keep_data_in_named_volumes()
    {
        var volumes = (await Compose.ResolvedAsync())["volumes"].Entries().Select(e => e.Key).ToHashSet();
        foreach (var (service, target) in new[] { ("postgres", "/var/lib/postgresql/data"), ("rabbitmq", "/var/lib/rabbitmq"), ("seq", "/data"), ("prometheus", "/prometheus"), ("grafana", "/var/lib/grafana") })
        {
            var source = Mount(await Compose.ServiceAsync(service), target);
            Assert.Contains(source, volumes);
        }
    }

    static bool IsOneShotTool(JsonNode? service) =>
        service?["profiles"].Items().Any(p => p.Str() == "tools") == true && service["restart"].Str() == "no";

    /// <summary>The volumes of a resolved service as (source, target, read-only); compose 1.29 prints the short syntax.</summary>
    static IEnumerable<(string Source, string Target, bool ReadOnly)> Volumes(JsonObject service) =>
        service["volumes"].Items().Select(v => v switch
        {
            JsonObject map => (map["source"].Str() ?? "", map["target"].Str() ?? "", map["read_only"]?.ToString() == "true"),
            _ when v.Str()?.Split(':') is [var source, var target, .. var mode] => (source, target, mode is ["ro"]),
            _ => throw new InvalidOperationException($"unexpected volume {v}"),
        });

    /// <summary>The host path or volume name mounted at a container path.</summary>
    static string Mount(JsonObject service, string target) =>
        Volumes(service).Where(v => v.Target == target).Select(v => v.Source).SingleOrDefault()
        ?? throw new InvalidOperationException($"nothing is mounted at {target}");

    // ------------------------------------------------------------ credential scan
    static void Scan(YamlNode node, string key, List<string> problems)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (k, v) in mapping.Children)
                    Scan(v, ((YamlScalarNode)k).Value ?? "", problems);
                break;
            case YamlSequenceNode sequence:
                foreach (var item in sequence.Children)
                {
                    // "KEY=value" items of an environment list.
                    if (item is YamlScalarNode { Value: { } text } && text.Contains('=', StringComparison.Ordinal) && !text.StartsWith('-'))
                        CheckValue(text.Split('=', 2)[0], text.Split('=', 2)[1], problems);
                    else
                        Scan(item, key, problems);
                }
                break;
            case YamlScalarNode { Value: { } value }:
                CheckValue(key, value, problems);
                break;
        }
    }

    static void CheckValue(string key, string value, List<string> problems)
    {
        if (SecretName().IsMatch(key) && !WholeRequiredVariable().IsMatch(value))
            problems.Add($"{key}: '{value}' is not a ${{VARIABLE}} without default");
        foreach (Match match in PasswordInValue().Matches(value))
            if (!match.Groups["value"].Value.StartsWith("${", StringComparison.Ordinal))
                problems.Add($"{key}: password literal in '{value}'");
        if (UrlCredentials().Match(value) is { Success: true } url && !url.Groups["password"].Value.StartsWith("${", StringComparison.Ordinal))
            problems.Add($"{key}: credentials in the URL '{value}'");
    }

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?<op>:?[-?])?[^}]*\}")]
    private static partial Regex VariablePattern();

    [GeneratedRegex(@"(pass(word|wd)?|secret|token|api_*keys?|credential)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"^\$\{[A-Za-z_][A-Za-z0-9_]*(:\?[^}]*)?\}$")]
    private static partial Regex WholeRequiredVariable();

    [GeneratedRegex(@"(password|pwd)\s*=\s*(?<value>[^;]*)", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordInValue();

    [GeneratedRegex(@"://[^/:@\s]+:(?<password>[^@\s]+)@")]
    private static partial Regex UrlCredentials();
}
