using System.Text.Json.Nodes;
using SalesEtl.Data;
using SalesEtl.Deploy.Tests.Support;
using SalesEtl.ServiceDefaults;
using SalesEtl.TestSupport;

namespace SalesEtl.Deploy.Tests;

/// <summary>
/// What the deployment files hand to each program matches the program: every image entry point
/// exists in the published output, and every environment variable that compose or Kubernetes sets
/// binds to a setting the program reads (a misspelt key fails here, not silently in production).
/// </summary>
public sealed class The_programs_settings
{
    /// <summary>Keys of the shared logging (AddEtlLogging, used by every web program), read without an options class, each with the source that must read it.</summary>
    static readonly (string Key, string Reader)[] EtlLoggingKeys =
    [
        ("Seq:ServerUrl", "shared/SalesEtl.ServiceDefaults/ServiceDefaultsExtensions.cs"),
        ("Seq:ApiKey", "shared/SalesEtl.ServiceDefaults/ServiceDefaultsExtensions.cs"),
        ("Logging:JsonConsole", "shared/SalesEtl.ServiceDefaults/ServiceDefaultsExtensions.cs"),
    ];

    static readonly (string Key, string Reader)[] EtlToolKeys = [("Etl:ProductsUrl", "services/SalesEtl.Cli/EtlEnvironment.cs")];

    /// <summary>Host settings of ASP.NET Core, read by every web program.</summary>
    static readonly string[] WebHostKeys = ["ASPNETCORE_HTTP_PORTS", "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT"];

    /// <summary>
    /// Programs that run only on a developer's machine or in tests, with no image yet: the stream
    /// simulator (issue 8) is driven by tests and by hand; packaging it is left to a later change.
    /// </summary>
    static readonly string[] LocalOnlyPrograms = ["services/SalesEtl.StreamSimulator"];

    [Fact]
    public void Should_package_every_program_of_services()
    {
        var projects = Directory.GetFiles(Path.Combine(RepositoryLayout.Root, "services"), "*.csproj", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(RepositoryLayout.Root, Path.GetDirectoryName(p)!).Replace('\\', '/'))
            .Except(LocalOnlyPrograms)
            .Order();
        Assert.Equal(projects, Programs.All.Select(p => p.Project).Order());
    }

    [Theory]
    [MemberData(nameof(Programs.AllData), MemberType = typeof(Programs))]
    public async Task Should_publish_the_entry_point_that_the_image_starts(string name)
    {
        var program = Programs.Named(name);
        var folder = await PublishedPrograms.FolderAsync(program);
        Assert.True(File.Exists(Path.Combine(folder, program.Dll)), $"{program.Dll} in {folder}");
        Assert.True(File.Exists(Path.Combine(folder, program.AssemblyName + ".runtimeconfig.json")), "runtimeconfig.json next to it");
        Assert.True(File.Exists(Path.Combine(folder, program.AssemblyName + ".deps.json")), "deps.json next to it");
        var runtimeConfig = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, program.AssemblyName + ".runtimeconfig.json")))!;
        // The runtime image is aspnet: every program needs only frameworks that image has.
        var frameworks = (runtimeConfig["runtimeOptions"]?["frameworks"] as JsonArray ?? [runtimeConfig["runtimeOptions"]?["framework"]])
            .Select(f => f?["name"]?.GetValue<string>()).ToList();
        Assert.All(frameworks, f => Assert.Contains(f, new[] { "Microsoft.NETCore.App", "Microsoft.AspNetCore.App" }));
    }

    [Theory]
    [MemberData(nameof(Programs.AllData), MemberType = typeof(Programs))]
    public async Task Should_bind_every_variable_that_compose_sets(string name)
    {
        var program = Programs.Named(name);
        var environment = (await Compose.ServiceAsync(name))["environment"].Entries().Select(e => e.Key).ToList();
        Assert.NotEmpty(environment);
        var unknown = await UnboundAsync(program, environment);
        Assert.True(unknown.Count == 0, $"{name} (docker-compose.yml) does not read: {string.Join(", ", unknown)}");
    }

    [Theory]
    [MemberData(nameof(Programs.AllData), MemberType = typeof(Programs))]
    public async Task Should_bind_every_variable_that_Kubernetes_sets(string name)
    {
        var program = Programs.Named(name);
        foreach (var kustomization in Kustomize.All)
        {
            var rendered = await Kustomize.RenderAsync(kustomization);
            var containers = rendered.PodSpecs().SelectMany(p => p.PodSpec["containers"].Items())
                .Where(c => ProgramOf(c?["image"].Str()) == program)
                .ToList();
            Assert.NotEmpty(containers);
            foreach (var container in containers)
            {
                var keys = container?["env"].Items().Select(e => e?["name"].Str()!).ToList() ?? [];
                foreach (var source in container?["envFrom"].Items() ?? [])
                {
                    var mapName = source?["configMapRef"]?["name"].Str();
                    Assert.NotNull(mapName);
                    keys.AddRange(rendered.Single("ConfigMap", mapName)["data"].Entries().Select(e => e.Key));
                }
                var unknown = await UnboundAsync(program, keys);
                Assert.True(unknown.Count == 0, $"{name} ({kustomization}) does not read: {string.Join(", ", unknown)}");
            }
        }
    }

    [Fact]
    public async Task Should_reject_a_misspelt_key()
    {
        // Ingestor__AllowedRoots__0 was the key before the input path policy moved to ServiceDefaults (Inputs).
        var unknown = await UnboundAsync(Programs.Ingestor, ["Inputs__AllowedRoot__0", "RabbitMQ__Hostname", "ConnectionStrings__Postgresql", "Ingestor__AllowedRoots__0", "Inputs__AllowedRoots__0", "rabbitmq__host"]);
        Assert.Equal(["Inputs__AllowedRoot__0", "RabbitMQ__Hostname", "ConnectionStrings__Postgresql", "Ingestor__AllowedRoots__0"], unknown);
    }

    [Fact]
    public void Should_list_only_keys_that_their_readers_read()
    {
        foreach (var (key, reader) in EtlLoggingKeys.Concat(EtlToolKeys))
            Assert.Contains($"\"{key}\"", File.ReadAllText(Path.Combine(RepositoryLayout.Root, reader)), StringComparison.Ordinal);
    }

    /// <summary>The environment variables among <paramref name="keys"/> that bind to no setting of the program.</summary>
    static async Task<List<string>> UnboundAsync(EtlProgram program, IEnumerable<string> keys)
    {
        var known = new List<(string Key, bool Prefix)>(await PublishedPrograms.OptionKeysAsync(program));
        var folder = await PublishedPrograms.FolderAsync(program);
        if (File.Exists(Path.Combine(folder, "SalesEtl.ServiceDefaults.dll")))
        {
            known.Add(($"ConnectionStrings:{EtlDatabase.ConnectionStringName}", false));
            Assert.Contains(known, k => k.Key.StartsWith(RabbitMqOptions.Section + ":", StringComparison.Ordinal));
        }
        if (program == Programs.Etl)
            known.AddRange(EtlToolKeys.Select(k => (k.Key, false)));
        if (program.Target == ImageTarget.Service)
            known.AddRange(WebHostKeys.Concat(EtlLoggingKeys.Select(k => k.Key)).Select(k => (k, false)));

        return keys.Where(key =>
        {
            var configKey = key.Replace("__", ":", StringComparison.Ordinal);
            return !known.Any(k => string.Equals(configKey, k.Key, StringComparison.OrdinalIgnoreCase)
                || (k.Prefix && configKey.StartsWith(k.Key + ":", StringComparison.OrdinalIgnoreCase)));
        }).ToList();
    }

    static EtlProgram? ProgramOf(string? image)
    {
        if (image is null)
            return null;
        var name = The_Kubernetes_manifests.ImageName(image);
        return Programs.All.SingleOrDefault(p => name == $"sales-etl/{p.Name}" || name.EndsWith($"/sales-etl-{p.Name}", StringComparison.Ordinal));
    }
}
