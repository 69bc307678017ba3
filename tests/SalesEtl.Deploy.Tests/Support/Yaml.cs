using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SalesEtl.Deploy.Tests.Support;

/// <summary>YAML documents as <see cref="JsonNode"/> trees (scalars as strings), for easy navigation in assertions.</summary>
public static class Yaml
{
    public static IReadOnlyList<JsonObject> LoadAll(string text)
    {
        var stream = new YamlStream();
        stream.Load(new MergingParser(new Parser(new StringReader(text))));
        return stream.Documents
            .Select(d => ToJson(d.RootNode))
            .OfType<JsonObject>()
            .ToList();
    }

    public static JsonObject Load(string text) => LoadAll(text) is [var single] ? single : throw new InvalidOperationException($"Expected one YAML document, found {LoadAll(text).Count}.");

    public static JsonObject LoadFile(string relativePath) => Load(File.ReadAllText(Path.Combine(TestSupport.RepositoryLayout.Root, relativePath)));

    /// <summary>The raw node tree (no merge of &lt;&lt; keys), for scans that must see the file as written.</summary>
    public static YamlNode RawRoot(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Single().RootNode;
    }

    static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(c =>
            KeyValuePair.Create(((YamlScalarNode)c.Key).Value ?? "", ToJson(c.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" } => null,
        YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? ""),
        _ => throw new InvalidOperationException($"Unexpected YAML node {node.NodeType}"),
    };

    /// <summary>The string value of a scalar node, or null.</summary>
    public static string? Str(this JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static IEnumerable<JsonNode?> Items(this JsonNode? node) => node as JsonArray ?? [];

    public static IEnumerable<KeyValuePair<string, JsonNode?>> Entries(this JsonNode? node) => node as JsonObject ?? [];
}
