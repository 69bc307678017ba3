using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SalesEtl.Deploy.Tests.Support;

namespace SalesEtl.Deploy.Tests;

/// <summary>
/// .github/workflows/ci.yml, checked offline (GitHub Actions cannot run here): it parses, tests
/// with RabbitMQ and PostgreSQL, builds an image of every program from the Dockerfile pattern,
/// and deploys the cloud overlay on main only, with the Secrets the overlay expects.
/// </summary>
public sealed partial class The_CI_workflow
{
    static readonly JsonObject Workflow = Yaml.LoadFile(".github/workflows/ci.yml");

    static JsonNode Job(string name) => Workflow["jobs"]?[name] ?? throw new InvalidOperationException($"no job {name}");

    static IEnumerable<JsonNode> Steps(string job) => Job(job)["steps"].Items().OfType<JsonNode>();

    static string Scripts(string job) => string.Join('\n', Steps(job).Select(s => s["run"].Str()).OfType<string>());

    [Fact]
    public void Should_run_on_pushes_to_main_and_on_pull_requests()
    {
        Assert.Contains("main", Workflow["on"]?["push"]?["branches"].Items().Select(b => b.Str()) ?? []);
        Assert.True(Workflow["on"]?.AsObject().ContainsKey("pull_request"));
        Assert.Equal("read", Workflow["permissions"]?["contents"].Str());
    }

    [Fact]
    public void Should_run_the_tests_with_RabbitMQ_and_PostgreSQL()
    {
        // As root on Debian 12, like the CI entry point elsewhere: infra.sh installs and starts the
        // servers (and Prometheus, Chromium) in the job's own container, where the Disruptive tests restart them.
        var test = Job("test");
        Assert.Equal("debian:12", test["container"]?["image"].Str());
        Assert.Contains("--user root", test["container"]?["options"].Str(), StringComparison.Ordinal);
        Assert.Null(test["services"]);   // servers in other containers would be out of reach of rabbitmqctl and pg_ctlcluster

        Assert.Contains(Steps("test"), s => s["run"].Str() == "bash .ci/run");
        Assert.DoesNotContain("ETL_SKIP_INFRA", Scripts("test") + test.ToJsonString(), StringComparison.Ordinal);
        var entryPoint = File.ReadAllText(Path.Combine(TestSupport.RepositoryLayout.Root, ".ci", "run"));
        Assert.Contains("export CI=true", entryPoint, StringComparison.Ordinal);
        Assert.Contains("deploy/local/test.sh", entryPoint, StringComparison.Ordinal);
        var testCommand = File.ReadAllText(Path.Combine(TestSupport.RepositoryLayout.Root, "deploy", "local", "test.sh"));
        Assert.Contains("bash \"$ROOT/deploy/local/infra.sh\"", testCommand, StringComparison.Ordinal);
        Assert.Contains("bash \"$ROOT/deploy/local/tools.sh\"", testCommand, StringComparison.Ordinal);

        // What Debian does not give: the .NET SDK and kubectl.
        Assert.Contains(Steps("test"), s => s["uses"].Str()?.StartsWith("actions/setup-dotnet@", StringComparison.Ordinal) == true && s["with"]?["dotnet-version"].Str() == "10.0.x");
        Assert.Contains(Steps("test"), s => s["uses"].Str()?.StartsWith("azure/setup-kubectl@", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void Should_build_an_image_of_every_program_with_the_Dockerfile_pattern()
    {
        var matrix = Job("images")["strategy"]?["matrix"]?["include"].Items().ToList() ?? [];
        Assert.Equal(Programs.All.Select(p => p.Name).Order(), matrix.Select(m => m?["name"].Str()).Order());
        foreach (var entry in matrix)
        {
            var program = Programs.Named(entry!["name"].Str()!);
            Assert.Equal(program.Project, entry["project"].Str());
            Assert.Equal(program.Dll, entry["dll"].Str());
            Assert.Equal(program.DockerTarget, entry["target"].Str());
        }
        Assert.Equal("test", Job("images")["needs"].Str());

        var build = Steps("images").Single(s => s["uses"].Str()?.StartsWith("docker/build-push-action@", StringComparison.Ordinal) == true)["with"]!;
        Assert.Equal("deploy/docker/Dockerfile", build["file"].Str());
        Assert.Equal(".", build["context"].Str());
        Assert.Equal("${{ matrix.target }}", build["target"].Str());
        var buildArgs = build["build-args"].Str()!.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["APP_DLL=${{ matrix.dll }}", "PROJECT=${{ matrix.project }}"], buildArgs.Order());
        // Pushed (with the commit's tag) only from main; pull requests build without pushing.
        Assert.Contains("github.ref == 'refs/heads/main'", Job("images")["env"]?["PUSH"].Str(), StringComparison.Ordinal);
        Assert.Contains("${{ github.sha }}", build["tags"].Str(), StringComparison.Ordinal);
        Assert.Equal("write", Job("images")["permissions"]?["packages"].Str());
    }

    [Fact]
    public void Should_deploy_the_cloud_overlay_from_main_only()
    {
        var deploy = Job("deploy");
        Assert.Equal("images", deploy["needs"].Str());
        Assert.Contains("github.ref == 'refs/heads/main'", deploy["if"].Str(), StringComparison.Ordinal);
        Assert.Contains("github.event_name == 'push'", deploy["if"].Str(), StringComparison.Ordinal);
        var scripts = Scripts("deploy");
        Assert.Contains("kubectl kustomize k8s/overlays/cloud", scripts, StringComparison.Ordinal);
        Assert.Contains("kubectl apply", scripts, StringComparison.Ordinal);

        // Every image is pinned to the commit before the overlay is applied.
        var pin = Steps("deploy").Single(s => s["run"].Str()?.Contains("kustomize edit set image", StringComparison.Ordinal) == true);
        Assert.Equal("k8s/overlays/cloud", pin["working-directory"].Str());
        var names = ForLoopItems().Match(pin["run"].Str()!).Groups["items"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Programs.All.Select(p => p.Name).Order(), names.Order());
        // And rolled out: every Deployment is waited for.
        var apply = Steps("deploy").Single(s => s["run"].Str()?.Contains("rollout status", StringComparison.Ordinal) == true)["run"].Str()!;
        var rollout = ForLoopItems().Match(apply).Groups["items"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Programs.Services.Select(p => p.Name).Order(), rollout.Order());
    }

    [Fact]
    public async Task Should_create_the_Secrets_that_the_cloud_overlay_leaves_out_with_the_keys_it_uses()
    {
        var scripts = Scripts("deploy");
        var templates = (await Kustomize.RenderAsync(Kustomize.Base)).OfKind("Secret").ToList();
        Assert.NotEmpty(templates);
        foreach (var secret in templates)
        {
            var name = secret["metadata"]!["name"].Str()!;
            var command = scripts[scripts.IndexOf($"create secret generic {name}", StringComparison.Ordinal)..];
            command = command[..command.IndexOf("| kubectl apply", StringComparison.Ordinal)];
            var keys = FromLiteral().Matches(command).Select(m => m.Groups["key"].Value).Order();
            Assert.Equal(secret["stringData"].Entries().Select(e => e.Key).Order(), keys);
        }
        // Their values come from the repository's secrets, never from the file.
        var secretStep = Steps("deploy").Single(s => s["run"].Str()?.Contains("create secret generic", StringComparison.Ordinal) == true);
        Assert.All(secretStep["env"].Entries(), e => Assert.Matches(@"^\$\{\{ secrets\.[A-Z_]+ \}\}$", e.Value.Str()));
    }

    [GeneratedRegex(@"for \w+ in (?<items>[a-z -]+); do")]
    private static partial Regex ForLoopItems();

    [GeneratedRegex(@"--from-literal=(?<key>[a-z-]+)=")]
    private static partial Regex FromLiteral();
}
