namespace SalesEtl.Deploy.Tests;

/// <summary>How a program is packaged: an HTTP service with health endpoints, or the run-to-completion etl tool.</summary>
public enum ImageTarget
{
    Service,
    Cli,
}

/// <summary>
/// One program of the system as the deployment files must name it: the compose service, the
/// Kubernetes workload and the image are all called <see cref="Name"/>; the image is built from
/// <see cref="Project"/> and starts <see cref="Dll"/>.
/// </summary>
/// <param name="UsesServiceDefaults">Hosts through shared/SalesEtl.ServiceDefaults (database, bus); every service, the catalog too, logs through its AddEtlLogging.</param>
public sealed record EtlProgram(string Name, string Project, string Dll, ImageTarget Target, bool UsesServiceDefaults)
{
    public string AssemblyName => Path.GetFileNameWithoutExtension(Dll);

    public string DockerTarget => Target == ImageTarget.Cli ? "cli" : "service";

    public override string ToString() => Name;
}

/// <summary>The programs, from services/ (names as deploy/local/up.sh and the health endpoints use them).</summary>
public static class Programs
{
    public static readonly EtlProgram Catalog = new("catalog", "services/SalesEtl.Catalog", "SalesEtl.Catalog.dll", ImageTarget.Service, UsesServiceDefaults: false);
    public static readonly EtlProgram Orchestrator = new("orchestrator", "services/SalesEtl.Orchestrator", "SalesEtl.Orchestrator.dll", ImageTarget.Service, UsesServiceDefaults: true);
    public static readonly EtlProgram Ingestor = new("ingestor", "services/SalesEtl.Ingestor", "SalesEtl.Ingestor.dll", ImageTarget.Service, UsesServiceDefaults: true);
    public static readonly EtlProgram ProductSync = new("product-sync", "services/SalesEtl.ProductSync", "SalesEtl.ProductSync.dll", ImageTarget.Service, UsesServiceDefaults: true);
    public static readonly EtlProgram Transformer = new("transformer", "services/SalesEtl.Transformer", "SalesEtl.Transformer.dll", ImageTarget.Service, UsesServiceDefaults: true);
    public static readonly EtlProgram MetricsLoader = new("metrics-loader", "services/SalesEtl.MetricsLoader", "SalesEtl.MetricsLoader.dll", ImageTarget.Service, UsesServiceDefaults: true);
    public static readonly EtlProgram Etl = new("etl", "services/SalesEtl.Cli", "etl.dll", ImageTarget.Cli, UsesServiceDefaults: false);

    public static readonly IReadOnlyList<EtlProgram> All = [Catalog, Orchestrator, Ingestor, ProductSync, Transformer, MetricsLoader, Etl];

    public static IEnumerable<EtlProgram> Services => All.Where(p => p.Target == ImageTarget.Service);

    public static IEnumerable<object[]> AllData => All.Select(p => new object[] { p.Name });

    public static IEnumerable<object[]> ServiceData => Services.Select(p => new object[] { p.Name });

    public static EtlProgram Named(string name) => All.Single(p => p.Name == name);

    /// <summary>The port every service listens on inside its container (ASPNETCORE_HTTP_PORTS of the image).</summary>
    public const int ContainerPort = 8080;
}
