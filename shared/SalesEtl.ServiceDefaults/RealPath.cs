namespace SalesEtl.ServiceDefaults;

/// <summary>
/// The file an absolute path opens, found as realpath(3) finds it: every symbolic link on the way (a folder's as well as
/// the file's) is followed to where it leads, and a <c>..</c> after a link (in the path or in a link's target) climbs
/// from the link's target, as the kernel climbs. .NET collapses the <c>..</c> of a path it opens from the text first:
/// give this a path through <see cref="Path.GetFullPath(string)"/> to find the file .NET opens. Parts that do not exist
/// are kept as written.
/// </summary>
public static class RealPath
{
    /// <summary>Links followed before giving up: Linux's own limit (ELOOP).</summary>
    const int MaxLinks = 40;

    /// <summary>The real path of an absolute path, or null when its links go round in a loop.</summary>
    public static string? Resolve(string absolutePath)
    {
        var root = Path.GetPathRoot(absolutePath) ?? throw new ArgumentException($"'{absolutePath}' is not absolute.", nameof(absolutePath));
        var resolved = root;
        var pending = new Stack<string>(Parts(absolutePath[root.Length..]).Reverse());
        var links = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".")
                continue;
            if (part == "..")
            {
                resolved = Path.GetDirectoryName(resolved) ?? resolved;
                continue;
            }

            var next = Path.Join(resolved, part);
            if (new FileInfo(next).LinkTarget is not { } target)
            {
                resolved = next;
                continue;
            }
            if (++links > MaxLinks)
                return null;
            // A relative target starts from the link's folder (resolved); an absolute one from its own root.
            if (Path.GetPathRoot(target) is { Length: > 0 } targetRoot)
            {
                resolved = targetRoot;
                target = target[targetRoot.Length..];
            }
            foreach (var targetPart in Parts(target).Reverse())
                pending.Push(targetPart);
        }
        return resolved;
    }

    static string[] Parts(string path) =>
        path.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
}
