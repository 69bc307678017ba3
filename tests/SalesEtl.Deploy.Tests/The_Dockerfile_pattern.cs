using System.Text.RegularExpressions;
using System.Xml.Linq;
using SalesEtl.Deploy.Tests.Support;
using SalesEtl.TestSupport;

namespace SalesEtl.Deploy.Tests;

/// <summary>
/// deploy/docker/Dockerfile, the one image pattern of every program, checked offline (no Docker
/// engine here). hadolint is neither packaged by Debian bookworm nor published on npm, so the
/// syntax lint is dockerfile-utils' (the VS Code Docker extension's validator); the rules that
/// matter here (stages, cache layers, user, health check) are checked below.
/// </summary>
public sealed class The_Dockerfile_pattern
{
    const string Path_ = "deploy/docker/Dockerfile";

    static readonly Dockerfile File = Dockerfile.Parse(System.IO.File.ReadAllText(Path.Combine(RepositoryLayout.Root, Path_)));

    static Stage Build => File.Stage("build");

    static Instruction Restore => Build.Instructions.Single(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore", StringComparison.Ordinal));

    static int IndexOf(Instruction instruction) => Build.Instructions.ToList().IndexOf(instruction);

    [Fact]
    public async Task Should_pass_the_Dockerfile_linter_without_a_diagnostic()
    {
        var lint = await NodeValidators.LintDockerfileAsync(Path.Combine(RepositoryLayout.Root, Path_));
        Assert.True(lint.ExitCode == 0, lint.Describe());
    }

    [Fact]
    public void Should_build_with_the_SDK_and_run_on_the_ASPNET_runtime_image()
    {
        Assert.True(File.Stages.Count >= 3, "multi-stage: build, runtime, targets");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:", Build.From);
        foreach (var target in new[] { "service", "cli" })
        {
            var image = File.BaseImage(File.Stage(target));
            Assert.Matches(@"^mcr\.microsoft\.com/dotnet/aspnet:\$\{DOTNET_VERSION\}(-alpine|-noble-chiseled|-azurelinux.*)?$", image);
        }
        Assert.Contains(File.GlobalInstructions, i => i.Keyword == "ARG" && i.Arguments == "DOTNET_VERSION=10.0");
        // The runtime gets only the published output of the build stage.
        var runtimeCopies = File.Stage("runtime").Named("COPY").ToList();
        Assert.All(runtimeCopies, copy => Assert.Equal("build", copy.Flags.GetValueOrDefault("from")));
    }

    [Fact]
    public void Should_be_a_service_image_by_default()
    {
        Assert.Equal("service", File.Stages[^1].Name);
    }

    [Fact]
    public void Should_restore_before_the_sources_are_copied()
    {
        var before = Build.Instructions.Take(IndexOf(Restore)).Where(i => i.Keyword == "COPY").ToList();
        Assert.NotEmpty(before);
        foreach (var copy in before)
        {
            var sources = copy.Words.SkipLast(1).ToList();
            Assert.All(sources, source => Assert.Matches(@"(\.csproj|^Directory\.(Build|Packages)\.props)$", source));
        }
        var copiedFirst = before.SelectMany(c => c.Words.SkipLast(1)).ToList();
        Assert.Contains("Directory.Build.props", copiedFirst);
        Assert.Contains("Directory.Packages.props", copiedFirst);

        var after = Build.Instructions.Skip(IndexOf(Restore) + 1).Where(i => i.Keyword == "COPY").SelectMany(c => c.Words.SkipLast(1)).ToList();
        Assert.Contains("shared/", after);
        Assert.Contains("services/", after);
        var publish = Build.Instructions.Single(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal));
        Assert.True(IndexOf(publish) > IndexOf(Restore));
        Assert.Contains("--no-restore", publish.Arguments, StringComparison.Ordinal);
        Assert.Contains("-c Release", publish.Arguments, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_copy_every_project_file_that_a_program_builds_from_before_the_restore()
    {
        var copied = Build.Instructions.Take(IndexOf(Restore)).Where(i => i.Keyword == "COPY")
            .SelectMany(c => c.Words.SkipLast(1))
            .Where(s => s.EndsWith(".csproj", StringComparison.Ordinal))
            .ToHashSet();
        var needed = Programs.All.SelectMany(p => ProjectClosure($"{p.Project}/{Path.GetFileName(p.Project)}.csproj")).ToHashSet();
        Assert.Empty(needed.Except(copied).Order());
        // Each project file lands in its own folder, as in the repository.
        foreach (var copy in Build.Instructions.Take(IndexOf(Restore)).Where(i => i.Keyword == "COPY" && i.Words[0].EndsWith(".csproj", StringComparison.Ordinal)))
            Assert.Equal(Path.GetDirectoryName(copy.Words[0]) + "/", copy.Words[^1]);
    }

    [Fact]
    public void Should_restore_the_same_layer_for_every_image()
    {
        // A build argument in scope changes the layer's cache key: none may be declared before the restore.
        Assert.DoesNotContain(Build.Instructions.Take(IndexOf(Restore)), i => i.Keyword == "ARG");
        Assert.DoesNotContain("$", Restore.Arguments.Replace("$project", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("service")]
    [InlineData("cli")]
    public void Should_run_as_a_numeric_non_root_user(string target)
    {
        var user = File.Effective(File.Stage(target), "USER");
        Assert.NotNull(user);
        var match = Regex.Match(user.Arguments, @"^(?<uid>\d+)(:(?<gid>\d+))?$");
        Assert.True(match.Success, $"USER must be numeric (uid[:gid]) so that Kubernetes can verify runAsNonRoot: {user}");
        Assert.NotEqual("0", match.Groups["uid"].Value);
        Assert.NotEqual("0", match.Groups["gid"].Value);
        // The same uid as the Kubernetes security contexts.
        Assert.Equal("1654", match.Groups["uid"].Value);
    }

    [Fact]
    public void Should_check_the_health_of_a_service_on_its_port()
    {
        var service = File.Stage("service");
        var healthcheck = File.Effective(service, "HEALTHCHECK");
        Assert.NotNull(healthcheck);
        Assert.StartsWith("CMD ", healthcheck.Arguments, StringComparison.Ordinal);
        Assert.Contains($"http://127.0.0.1:{Programs.ContainerPort}/health/live", healthcheck.Arguments, StringComparison.Ordinal);
        // The runtime is Alpine: busybox wget is there (the chiseled images have neither wget nor curl).
        Assert.Contains("wget", healthcheck.Arguments, StringComparison.Ordinal);
        Assert.EndsWith("-alpine", File.BaseImage(service), StringComparison.Ordinal);
        foreach (var flag in new[] { "interval", "timeout", "start-period", "retries" })
            Assert.True(healthcheck.Flags.ContainsKey(flag), $"HEALTHCHECK --{flag}");
        Assert.False(healthcheck.Flags.ContainsKey("start-interval"), "--start-interval needs a recent engine; compose 1.29 rejects it too");

        Assert.Contains(File.Effective(service, "EXPOSE")!.Arguments, $"{Programs.ContainerPort}");
        var env = File.Chain(service).SelectMany(s => s.Named("ENV")).Select(e => e.Arguments).ToList();
        Assert.Contains(env, e => e.Contains($"ASPNETCORE_HTTP_PORTS={Programs.ContainerPort}", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_say_that_the_etl_tool_has_no_health_check()
    {
        Assert.Equal("NONE", File.Effective(File.Stage("cli"), "HEALTHCHECK")?.Arguments);
    }

    [Fact]
    public void Should_start_the_published_dll_named_by_the_build_argument_as_PID_1()
    {
        var runtime = File.Stage("runtime");
        Assert.Contains(runtime.Instructions, i => i.Keyword == "ARG" && i.Arguments == "APP_DLL");
        Assert.Contains(runtime.Instructions, i => i.Keyword == "ENV" && i.Arguments.Contains("APP_DLL=${APP_DLL}", StringComparison.Ordinal));
        Assert.Contains(Build.Instructions, i => i.Keyword == "ARG" && i.Arguments == "PROJECT");
        Assert.Contains(Build.Instructions, i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish \"$PROJECT\"", StringComparison.Ordinal) && i.Arguments.Contains("-o /app", StringComparison.Ordinal));

        var entrypoint = File.Effective(File.Stage("service"), "ENTRYPOINT")!.ExecForm;
        Assert.NotNull(entrypoint);
        Assert.Equal(["/bin/sh", "-c"], entrypoint.Take(2));
        Assert.StartsWith("exec dotnet \"/app/$APP_DLL\" \"$@\"", entrypoint[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Should_keep_the_build_context_small_without_losing_an_input()
    {
        var patterns = System.IO.File.ReadAllLines(Path.Combine(RepositoryLayout.Root, ".dockerignore"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();
        foreach (var required in new[] { "**/bin/", "**/obj/", "**/node_modules/", ".git/", ".local/", ".env", "tests/" })
            Assert.Contains(required, patterns);

        // What the Dockerfile copies must not be ignored.
        var inputs = File.Stages.SelectMany(s => s.Named("COPY")).Where(c => !c.Flags.ContainsKey("from"))
            .SelectMany(c => c.Words.SkipLast(1))
            .Select(s => s.Split('/')[0])
            .Distinct()
            .ToList();
        Assert.Contains(".editorconfig", inputs);
        foreach (var input in inputs)
            Assert.DoesNotContain(patterns, p => p.TrimEnd('/') == input || (p.StartsWith('*') && input.EndsWith(p.TrimStart('*'), StringComparison.Ordinal)));
    }

    /// <summary>A project file and every project it references, transitively, as repository paths.</summary>
    static IEnumerable<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            if (!seen.Add(current))
                continue;
            var document = XDocument.Load(Path.Combine(RepositoryLayout.Root, current));
            foreach (var reference in document.Descendants("ProjectReference"))
            {
                var full = Path.GetFullPath(Path.Combine(RepositoryLayout.Root, Path.GetDirectoryName(current)!, reference.Attribute("Include")!.Value));
                pending.Push(Path.GetRelativePath(RepositoryLayout.Root, full).Replace('\\', '/'));
            }
        }
        return seen;
    }
}
