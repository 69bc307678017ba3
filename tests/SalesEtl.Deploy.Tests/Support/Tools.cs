namespace SalesEtl.Deploy.Tests.Support;

/// <summary>
/// The validators the tests need. A missing one is installed once by deploy/local/tools.sh (Debian
/// packages, as deploy/local/infra.sh does); a tool that is still missing fails the test with what
/// to do, in CI and elsewhere alike: these tests never skip.
/// </summary>
public static class Tools
{
    static readonly SemaphoreSlim InstallLock = new(1, 1);
    static RunResult? installResult;

    public static async Task<string> RequireAsync(string command)
    {
        if (Run.Which(command) is { } found)
            return found;
        await InstallOnceAsync();
        return Run.Which(command) ?? throw new InvalidOperationException(
            $"{command} is required by the deployment tests and is not installed. deploy/local/tools.sh installs it " +
            $"(Debian package, needs root or passwordless sudo); its run here said:\n{installResult?.Describe()}");
    }

    /// <summary>kustomize as a program and its arguments: kubectl's built-in one, else a standalone kustomize.</summary>
    public static async Task<(string FileName, string[] Prefix)> KustomizeAsync()
    {
        if (Run.Which("kubectl") is { } kubectl)
            return (kubectl, ["kustomize"]);
        if (Run.Which("kustomize") is { } kustomize)
            return (kustomize, ["build"]);
        await InstallOnceAsync();
        if (Run.Which("kubectl") is { } installed)
            return (installed, ["kustomize"]);
        throw new InvalidOperationException(
            "Rendering k8s/ needs kubectl (its built-in kustomize) or kustomize; neither is installed, and Debian bookworm " +
            "and npm package neither. Install kubectl from the Kubernetes apt repository or your distribution. " +
            $"deploy/local/tools.sh said:\n{installResult?.Describe()}");
    }

    static async Task InstallOnceAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            installResult ??= await Run.ProcessAsync("bash", ["deploy/local/tools.sh"], timeout: TimeSpan.FromMinutes(10));
        }
        finally
        {
            InstallLock.Release();
        }
    }
}
