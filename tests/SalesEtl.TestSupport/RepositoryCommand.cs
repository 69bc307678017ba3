using System.Diagnostics;

namespace SalesEtl.TestSupport;

/// <summary>A command line run through bash from the repository root, as a person types it there.</summary>
public static class RepositoryCommand
{
    public static Task<EtlResult> RunAsync(string commandLine, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo("bash");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(commandLine);
        return RunToEndAsync(info, environment, timeout ?? TimeSpan.FromMinutes(10));
    }

    /// <summary>Runs a process from the repository root with these settings, its input closed, and collects its output.</summary>
    internal static async Task<EtlResult> RunToEndAsync(ProcessStartInfo info, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        info.WorkingDirectory = RepositoryLayout.Root;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            info.Environment[key] = value;
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var cancellation = new CancellationTokenSource(timeout))
            await process.WaitForExitAsync(cancellation.Token);
        return new EtlResult(process.ExitCode, await stdout, await stderr);
    }
}
