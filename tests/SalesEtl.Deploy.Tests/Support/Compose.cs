using System.Text.Json.Nodes;
using SalesEtl.TestSupport;

namespace SalesEtl.Deploy.Tests.Support;

/// <summary>docker-compose.yml as Debian's docker-compose 1.29 resolves it with .env.example.</summary>
public static class Compose
{
    public const string File = "docker-compose.yml";
    public const string EnvExample = ".env.example";

    static readonly Lazy<Task<JsonObject>> Resolved = new(ResolveAsync);

    public static string Text => System.IO.File.ReadAllText(Path.Combine(RepositoryLayout.Root, File));

    /// <summary>`docker-compose -f docker-compose.yml --env-file ENV ARGS…` with nothing from the caller's environment.</summary>
    public static async Task<RunResult> RunAsync(string envFile, params string[] arguments)
    {
        var compose = await Tools.RequireAsync("docker-compose");
        return await Run.ProcessAsync(compose, ["-f", File, "--env-file", envFile, .. arguments], cleanEnvironment: true);
    }

    /// <summary>The resolved file (anchors merged, variables substituted): `docker-compose config`.</summary>
    public static Task<JsonObject> ResolvedAsync() => Resolved.Value;

    public static async Task<JsonObject> ServiceAsync(string name) =>
        (await ResolvedAsync())["services"]?[name] as JsonObject ?? throw new InvalidOperationException($"{File} has no service {name}");

    static async Task<JsonObject> ResolveAsync()
    {
        var result = await RunAsync(EnvExample, "config");
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"docker-compose config failed:\n{result.Describe()}");
        return Yaml.Load(result.Output);
    }
}
