namespace SalesEtl.Observability.Tests.Support;

/// <summary>Finds a program on the PATH (Prometheus's binaries come from Debian's <c>prometheus</c> package, installed by deploy/local/infra.sh).</summary>
public static class RequiredTool
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/usr/local/bin"])
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>The tool's path; throws when it is missing (the tests fail, never skip, on a machine without it).</summary>
    public static string Require(string name) =>
        Find(name) ?? throw new InvalidOperationException($"{name} is not installed: deploy/local/infra.sh installs Debian's prometheus package (prometheus, promtool).");
}
