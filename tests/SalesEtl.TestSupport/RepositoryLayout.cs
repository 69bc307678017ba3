using System.Diagnostics;

namespace SalesEtl.TestSupport;

/// <summary>Where things are in the repository and its build outputs, found from the test assembly's location.</summary>
public static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: the configuration the tests were built with, used for the services too.</summary>
    public static string Configuration { get; } = typeof(RepositoryLayout).Assembly.Location.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Microservices.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Microservices.sln) above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// Publishes a project (from its existing build: the test project references every service, so
    /// they are built already) into a folder of its own and returns the path of its main dll.
    /// </summary>
    public static async Task<string> PublishAsync(string projectFolder, string assemblyName, string outputRoot)
    {
        var output = Path.Combine(outputRoot, assemblyName);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Root,
        };
        foreach (var arg in new[] { "publish", Path.Combine(Root, projectFolder), "-c", Configuration, "--no-build", "-o", output, "--nologo", "-v", "q" })
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet publish {projectFolder} failed:\n{await stdout}\n{await stderr}");
        return Path.Combine(output, assemblyName + ".dll");
    }
}
