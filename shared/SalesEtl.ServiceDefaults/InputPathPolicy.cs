using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace SalesEtl.ServiceDefaults;

/// <summary>Section <c>Inputs</c>: where input files may be read from.</summary>
public sealed class InputOptions
{
    public const string Section = "Inputs";

    /// <summary>Absolute folders input files must be under; empty means anywhere (local development only).</summary>
    public List<string> AllowedRoots { get; set; } = [];

    /// <summary>Largest input file accepted.</summary>
    [Range(1L, long.MaxValue)] public long MaxFileBytes { get; set; } = 20L << 30;
}

/// <summary>
/// Decides whether an input path may be read: absolute, normalized (no <c>..</c> escape, symbolic
/// links resolved), under one of the allowed roots, an existing regular file, within the size limit.
/// </summary>
public sealed class InputPathPolicy(IOptions<InputOptions> options)
{
    /// <summary>Null when the file may be read, else the reason it may not (safe to show: no server internals).</summary>
    public string? Check(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
            return "No source path was given.";
        if (!Path.IsPathFullyQualified(path))
            return $"The source path '{path}' is not absolute.";

        var fullPath = Path.GetFullPath(path);
        var info = new FileInfo(fullPath);
        var resolved = info.Exists && info.ResolveLinkTarget(returnFinalTarget: true) is { } target ? target.FullName : fullPath;
        var roots = options.Value.AllowedRoots;
        if (roots.Count > 0 && !roots.Any(root => IsUnder(resolved, root)))
            return $"The source path '{path}' is outside the allowed input folders.";
        if (!File.Exists(resolved))
            return $"The source file '{path}' does not exist.";
        var length = new FileInfo(resolved).Length;
        return length > options.Value.MaxFileBytes
            ? $"The source file '{path}' is {length:N0} bytes, over the limit of {options.Value.MaxFileBytes:N0}."
            : null;
    }

    static bool IsUnder(string path, string root)
    {
        var normalizedRoot = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return path.StartsWith(normalizedRoot, StringComparison.Ordinal);
    }
}

public static class InputPathPolicyRegistration
{
    public static IServiceCollection AddInputPathPolicy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<InputOptions>().Bind(configuration.GetSection(InputOptions.Section)).ValidateDataAnnotations()
            .Validate(o => o.AllowedRoots.All(Path.IsPathFullyQualified), "Inputs:AllowedRoots must be absolute paths.")
            .ValidateOnStart();
        services.AddSingleton<InputPathPolicy>();
        return services;
    }
}
