using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using SalesEtl.TestSupport;

namespace SalesEtl.Deploy.Tests.Support;

/// <summary>A rendered kustomization: its YAML (also written to a file for the validators) and its objects.</summary>
public sealed record Rendered(string Kustomization, string File, IReadOnlyList<JsonObject> Objects)
{
    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => o["kind"].Str() == kind);

    public JsonObject Single(string kind, string name) =>
        OfKind(kind).SingleOrDefault(o => o["metadata"]?["name"].Str() == name)
        ?? throw new InvalidOperationException($"{Kustomization} renders no {kind} {name}");

    /// <summary>Workloads with their pod spec: Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, Pods.</summary>
    public IEnumerable<(JsonObject Workload, JsonObject PodSpec)> PodSpecs()
    {
        foreach (var o in Objects)
        {
            var spec = o["kind"].Str() switch
            {
                "Deployment" or "StatefulSet" or "DaemonSet" or "ReplicaSet" or "Job" => o["spec"]?["template"]?["spec"],
                "CronJob" => o["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"],
                "Pod" => o["spec"],
                _ => null,
            };
            if (spec is JsonObject podSpec)
                yield return (o, podSpec);
        }
    }
}

/// <summary>Renders k8s/base and the overlays once per test run (kubectl's built-in kustomize).</summary>
public static class Kustomize
{
    public const string Base = "k8s/base";
    public const string Local = "k8s/overlays/local";
    public const string Cloud = "k8s/overlays/cloud";
    public static readonly string[] All = [Base, Local, Cloud];

    static readonly ConcurrentDictionary<string, Lazy<Task<Rendered>>> Renders = new();

    public static Task<Rendered> RenderAsync(string kustomization) =>
        Renders.GetOrAdd(kustomization, k => new Lazy<Task<Rendered>>(() => RenderNowAsync(k))).Value;

    static async Task<Rendered> RenderNowAsync(string kustomization)
    {
        var (fileName, prefix) = await Tools.KustomizeAsync();
        var result = await Run.ProcessAsync(fileName, [.. prefix, kustomization]);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"kustomize could not render {kustomization}:\n{result.Describe()}");
        var folder = Path.Combine(RepositoryLayout.Root, ".local", "deploy-tests", "rendered");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, kustomization.Replace('/', '_') + ".yaml");
        await File.WriteAllTextAsync(file, result.Output);
        return new Rendered(kustomization, file, Yaml.LoadAll(result.Output));
    }
}
