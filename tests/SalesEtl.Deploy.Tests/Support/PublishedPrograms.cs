using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using SalesEtl.TestSupport;

namespace SalesEtl.Deploy.Tests.Support;

/// <summary>
/// Each program published once per test run (`dotnet publish` of the build the tests were made
/// with, into .local/deploy-tests/publish), as the Dockerfile publishes it into /app.
/// </summary>
public static class PublishedPrograms
{
    static readonly SemaphoreSlim PublishLock = new(1, 1);
    static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Folders = new();

    /// <summary>The folder with the program's published output.</summary>
    public static Task<string> FolderAsync(EtlProgram program) =>
        Folders.GetOrAdd(program.Name, _ => new Lazy<Task<string>>(() => PublishAsync(program))).Value;

    static async Task<string> PublishAsync(EtlProgram program)
    {
        // One publish at a time: they share the build outputs of shared/.
        await PublishLock.WaitAsync();
        try
        {
            var root = Path.Combine(RepositoryLayout.Root, ".local", "deploy-tests", "publish", RepositoryLayout.Configuration, program.Name);
            if (Directory.Exists(root))
                Directory.Delete(root, recursive: true);
            // RepositoryLayout publishes <project> into <root>/<assembly name>, from the existing build.
            var assemblyName = Path.GetFileName(program.Project);
            string mainDll;
            try
            {
                mainDll = await RepositoryLayout.PublishAsync(program.Project, assemblyName, root);
            }
            catch (InvalidOperationException)
            {
                // Other test projects publish the same builds at the same time (into their own
                // folders); a clash on a shared intermediate file is worth one more try.
                await Task.Delay(TimeSpan.FromSeconds(2));
                mainDll = await RepositoryLayout.PublishAsync(program.Project, assemblyName, root);
            }
            return Path.GetDirectoryName(mainDll)!;
        }
        finally
        {
            PublishLock.Release();
        }
    }

    /// <summary>
    /// The configuration keys (colon form) that options classes of the program's own assemblies
    /// bind: every type with a <c>public const string Section</c>, one key per settable property.
    /// A property of a collection or object type binds any key below it (e.g. AllowedRoots:0).
    /// </summary>
    public static async Task<IReadOnlyList<(string Key, bool Prefix)>> OptionKeysAsync(EtlProgram program)
    {
        var folder = await FolderAsync(program);
        var context = new FolderLoadContext(folder);
        try
        {
            var keys = new List<(string, bool)>();
            foreach (var dll in Directory.GetFiles(folder, "SalesEtl.*.dll").Append(Path.Combine(folder, program.Dll)).Distinct())
            {
                var assembly = context.LoadFromAssemblyPath(dll);
                foreach (var type in LoadableTypes(assembly))
                {
                    if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is not { IsLiteral: true } field
                        || field.GetRawConstantValue() is not string section)
                        continue;
                    foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                        if (property.SetMethod is { IsPublic: true })
                            keys.Add(($"{section}:{property.Name}", !IsScalar(property.PropertyType)));
                }
            }
            return keys;
        }
        finally
        {
            context.Unload();
        }
    }

    static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException exception)
        {
            return exception.Types.OfType<Type>();
        }
    }

    static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
            || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(Uri);
    }

    sealed class FolderLoadContext(string folder) : AssemblyLoadContext($"published:{folder}", isCollectible: true)
    {
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            var candidate = Path.Combine(folder, assemblyName.Name + ".dll");
            return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
        }
    }
}
