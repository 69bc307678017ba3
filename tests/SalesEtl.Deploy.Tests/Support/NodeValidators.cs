using System.Security.Cryptography;
using System.Text.Json.Nodes;
using SalesEtl.TestSupport;

namespace SalesEtl.Deploy.Tests.Support;

/// <summary>
/// The node scripts of k8s-validate/ (kubernetes-models, @kubernetes-models/keda, dockerfile-utils),
/// installed once with `npm ci` into .local/deploy-tests/validators and re-installed only when
/// package-lock.json changes.
/// </summary>
public static class NodeValidators
{
    static readonly Lazy<Task<string>> Installed = new(InstallAsync);

    static string Source => Path.Combine(RepositoryLayout.Root, "tests", "SalesEtl.Deploy.Tests", "k8s-validate");

    static async Task<string> InstallAsync()
    {
        var node = await Tools.RequireAsync("node");
        var npm = await Tools.RequireAsync("npm");
        var target = Path.Combine(RepositoryLayout.Root, ".local", "deploy-tests", "validators");
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(Source).Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".mjs", StringComparison.Ordinal)))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);

        var lockHash = Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(Source, "package-lock.json"))));
        var stamp = Path.Combine(target, "node_modules", ".sales-etl-lock-hash");
        if (!File.Exists(stamp) || await File.ReadAllTextAsync(stamp) != lockHash)
        {
            var install = await Run.ProcessAsync(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error"], target, timeout: TimeSpan.FromMinutes(10));
            if (install.ExitCode != 0)
                throw new InvalidOperationException($"npm ci of the deployment validators failed (the npm registry must be reachable):\n{install.Describe()}");
            await File.WriteAllTextAsync(stamp, lockHash);
        }
        _ = node;
        return target;
    }

    /// <summary>Validates every object of the YAML files; one result per object.</summary>
    public static async Task<(RunResult Run, IReadOnlyList<JsonObject> Objects)> ValidateKubernetesAsync(params string[] yamlFiles)
    {
        var folder = await Installed.Value;
        var result = await Run.ProcessAsync(await Tools.RequireAsync("node"), ["validate-k8s.mjs", .. yamlFiles], folder);
        var objects = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonNode.Parse(line)!.AsObject())
            .ToList();
        return (result, objects);
    }

    public static async Task<RunResult> LintDockerfileAsync(string dockerfile)
    {
        var folder = await Installed.Value;
        return await Run.ProcessAsync(await Tools.RequireAsync("node"), ["lint-dockerfile.mjs", dockerfile], folder);
    }
}
