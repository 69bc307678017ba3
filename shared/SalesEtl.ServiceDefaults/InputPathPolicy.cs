using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace SalesEtl.ServiceDefaults;

/// <summary>Section <c>Inputs</c>: where input files may be read from.</summary>
public sealed class InputOptions
{
    public const string Section = "Inputs";

    /// <summary>Absolute folders input files must be under; empty means anywhere, allowed in the Development environment only.</summary>
    public List<string> AllowedRoots { get; set; } = [];

    /// <summary>Largest input file accepted.</summary>
    [Range(1L, long.MaxValue)] public long MaxFileBytes { get; set; } = 20L << 30;
}

/// <summary>
/// Decides whether an input path may be read: absolute, its real path (normalized as .NET opens it, then every symbolic
/// link on the way followed) under one of the allowed roots, an existing regular file, within the size limit.
/// </summary>
public sealed class InputPathPolicy(IOptions<InputOptions> options)
{
    /// <summary>Null when the file may be read, else the reason it may not (safe to show: no server internals).</summary>
    /// <param name="realPath">The path to open: the one that was checked, so that no link can lead elsewhere afterwards.</param>
    public string? Check(string? path, out string realPath)
    {
        realPath = "";
        if (string.IsNullOrWhiteSpace(path))
            return "No source path was given.";
        if (!Path.IsPathFullyQualified(path))
            return $"The source path '{path}' is not absolute.";

        if (RealPath.Resolve(Path.GetFullPath(path)) is not { } resolved)
            return $"The source path '{path}' goes round a loop of symbolic links.";
        var roots = options.Value.AllowedRoots;
        if (roots.Count > 0 && !roots.Any(root => IsUnder(resolved, root)))
            return $"The source path '{path}' is outside the allowed input folders.";
        if (!File.Exists(resolved))
            return $"The source file '{path}' does not exist.";
        var length = new FileInfo(resolved).Length;
        if (length > options.Value.MaxFileBytes)
            return $"The source file '{path}' is {length:N0} bytes, over the limit of {options.Value.MaxFileBytes:N0}.";
        realPath = resolved;
        return null;
    }

    static bool IsUnder(string realPath, string root)
    {
        // The separator keeps /data/in from admitting /data/inbox; a root reached through a link is compared by where it leads.
        var realRoot = (RealPath.Resolve(root) ?? root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return realPath.StartsWith(realRoot, StringComparison.Ordinal);
    }
}

public static class InputPathPolicyRegistration
{
    /// <summary>The policy of a service that reads paths sent by others: outside Development it refuses to start without roots.</summary>
    public static WebApplicationBuilder AddInputPathPolicy(this WebApplicationBuilder builder)
    {
        builder.Services.AddInputPathPolicy(builder.Configuration, rootsRequired: !builder.Environment.IsDevelopment());
        return builder;
    }

    /// <param name="rootsRequired">True to refuse to start without <c>Inputs:AllowedRoots</c> rather than read any file the process can.</param>
    public static IServiceCollection AddInputPathPolicy(this IServiceCollection services, IConfiguration configuration, bool rootsRequired)
    {
        services.AddOptions<InputOptions>().Bind(configuration.GetSection(InputOptions.Section)).ValidateDataAnnotations()
            .Validate(o => o.AllowedRoots.All(Path.IsPathFullyQualified), "Inputs:AllowedRoots must be absolute paths.")
            .Validate(o => !rootsRequired || o.AllowedRoots.Count > 0,
                "Inputs:AllowedRoots must name at least one folder outside the Development environment (e.g. Inputs__AllowedRoots__0=/data/in): "
                + "without it a run could read any file this service can.")
            .ValidateOnStart();
        services.AddSingleton<InputPathPolicy>();
        return services;
    }
}
