using System.Text;

namespace SalesEtl.EndToEnd.Tests.Reference;

/// <summary>A scratch directory for one test, removed afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("salesetl-ref-").FullName;

    /// <summary>Writes <paramref name="text"/> exactly (UTF-8, no BOM unless it holds one) and returns the path.</summary>
    public string Write(string name, string text)
    {
        var path = System.IO.Path.Combine(Path, name);
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    public string Read(string name) => File.ReadAllText(System.IO.Path.Combine(Path, name));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A scratch folder left behind is harmless.
        }
    }
}
