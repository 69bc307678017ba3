using System.Diagnostics;

namespace SalesEtl.TestSupport;

/// <summary>A command line run through bash from the repository root, as a person types it there.</summary>
public static class RepositoryCommand
{
    public static async Task<EtlResult> RunAsync(string commandLine, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryLayout.Root,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(commandLine);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            info.Environment[key] = value;
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(10)))
            await process.WaitForExitAsync(cancellation.Token);
        return new EtlResult(process.ExitCode, await stdout, await stderr);
    }
}
