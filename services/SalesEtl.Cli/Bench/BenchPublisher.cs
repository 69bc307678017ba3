using System.Diagnostics;

namespace SalesEtl.Cli.Bench;

/// <summary>Publishes every service in Release into <c>.local/bench/publish/&lt;project&gt;</c>, only when sources changed.</summary>
public static class BenchPublisher
{
    public static string FindRepositoryRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Microservices.sln")))
                    return directory.FullName;
            }
        }
        throw new UsageException("Cannot find the repository (Microservices.sln) to publish the services from; run from inside it or pass --services DIR.");
    }

    public static async Task<string> PublishAsync(string root, TextWriter log, CancellationToken cancellationToken)
    {
        var output = Path.Combine(root, ".local", "bench", "publish");
        var stamp = Path.Combine(output, ".stamp");
        if (!Stale(root, output, stamp))
            return output;

        Directory.CreateDirectory(output);
        var started = DateTime.UtcNow;
        foreach (var service in BenchService.All)
        {
            log.WriteLine($"bench: publishing {service.Project} (Release)");
            var info = new ProcessStartInfo("dotnet")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = root,
            };
            foreach (var arg in new[] { "publish", Path.Combine(root, "services", service.Project, service.Project + ".csproj"), "-c", "Release", "-o", Path.Combine(output, service.Project), "--nologo", "-v", "q" })
                info.ArgumentList.Add(arg);
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"dotnet publish {service.Project} failed:\n{await stdout}\n{await stderr}");
        }
        await File.WriteAllTextAsync(stamp, "", cancellationToken);
        File.SetLastWriteTimeUtc(stamp, started);
        return output;
    }

    static bool Stale(string root, string output, string stamp)
    {
        if (!File.Exists(stamp) || BenchService.All.Any(s => !File.Exists(Path.Combine(output, s.Project, s.Project + ".dll"))))
            return true;
        var built = File.GetLastWriteTimeUtc(stamp);
        return SourceFiles(Path.Combine(root, "services")).Concat(SourceFiles(Path.Combine(root, "shared")))
            .Concat(new[] { "Directory.Build.props", "Directory.Packages.props" }.Select(f => Path.Combine(root, f)).Where(File.Exists))
            .Any(file => File.GetLastWriteTimeUtc(file) > built);
    }

    static IEnumerable<string> SourceFiles(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory))
            yield return file;
        foreach (var child in Directory.EnumerateDirectories(directory))
        {
            var name = Path.GetFileName(child);
            if (name is "bin" or "obj" or "node_modules")
                continue;
            foreach (var file in SourceFiles(child))
                yield return file;
        }
    }
}
