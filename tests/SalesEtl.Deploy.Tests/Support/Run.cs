using System.Diagnostics;
using System.Text;

namespace SalesEtl.Deploy.Tests.Support;

public sealed record RunResult(string Command, int ExitCode, string Output, string Error)
{
    public string Describe() => $"`{Command}` exited with {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>Runs external tools (docker-compose, kubectl, node, npm, yamllint) with captured output.</summary>
public static class Run
{
    public static async Task<RunResult> ProcessAsync(string fileName, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, bool cleanEnvironment = false, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? TestSupport.RepositoryLayout.Root,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        if (cleanEnvironment)
        {
            // Only what a tool needs to start: the results must not depend on the caller's variables.
            var keep = new[] { "PATH", "HOME", "LANG", "LC_ALL", "TMPDIR" };
            foreach (var key in info.Environment.Keys.ToList())
                if (!keep.Contains(key, StringComparer.Ordinal))
                    info.Environment.Remove(key);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            info.Environment[key] = value;

        var command = fileName + " " + string.Join(' ', info.ArgumentList);
        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return new RunResult(command, 127, "", $"cannot start {fileName}: {exception.Message}");
        }
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return new RunResult(command, -1, await stdout, await stderr + $"\n(killed after {timeout ?? TimeSpan.FromMinutes(5)})");
        }
        return new RunResult(command, process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The full path of a command on PATH, or null.</summary>
    public static string? Which(string command)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, command);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    public static string Tail(string text, int lines = 40)
    {
        var all = text.Split('\n');
        return new StringBuilder().AppendJoin('\n', all.Skip(Math.Max(0, all.Length - lines))).ToString();
    }
}
