using MlOps.Core.Jobs;
using YamlDotNet.RepresentationModel;

namespace MlOps.Pipelines.Specs;

/// <summary>Typed access to YAML nodes that records an error (with the field path and line) instead of
/// throwing, so one pass reports every structural problem.</summary>
internal sealed class YamlNodeReader(List<FieldError> errors)
{
    public void Error(YamlNode node, string path, string message) =>
        errors.Add(new FieldError(path.Length == 0 ? "(root)" : path, $"{message} (line {node.Start.Line})"));

    /// <summary>Reads a mapping with a fixed set of keys; any other key is an error listing the known ones.</summary>
    public void Map(YamlNode node, string path, IReadOnlyDictionary<string, Action<YamlNode, string>> fields)
    {
        Entries(node, path, (key, value, childPath, keyNode) =>
        {
            if (fields.TryGetValue(key, out var read))
            {
                read(value, childPath);
            }
            else
            {
                Error(keyNode, childPath, $"unknown key '{key}'; expected one of: {string.Join(", ", fields.Keys)}");
            }
        });
    }

    /// <summary>Visits each entry of a mapping with free-form keys, in order; duplicate and non-text keys are
    /// errors.</summary>
    public void Entries(YamlNode node, string path, Action<string, YamlNode, string, YamlNode> visit)
    {
        if (node is not YamlMappingNode mapping)
        {
            Error(node, path, "must be a mapping of keys");
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                Error(keyNode, path, "keys must be text");
                continue;
            }

            var childPath = path.Length == 0 ? key : $"{path}.{key}";
            if (!seen.Add(key))
            {
                Error(keyNode, childPath, "appears twice");
                continue;
            }

            visit(key, valueNode, childPath, keyNode);
        }
    }

    public void Sequence(YamlNode node, string path, Action<YamlNode, string> readItem)
    {
        if (node is not YamlSequenceNode sequence)
        {
            Error(node, path, "must be a list");
            return;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            readItem(sequence.Children[i], $"{path}[{i}]");
        }
    }

    public string String(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: { } value })
        {
            return value;
        }

        Error(node, path, $"must be a text value, got {Describe(node)}");
        return "";
    }

    public bool Boolean(YamlNode node, string path, bool fallback)
    {
        if (node is YamlScalarNode { Value: { } text } && bool.TryParse(text, out var value))
        {
            return value;
        }

        Error(node, path, $"must be true or false, got '{Describe(node)}'");
        return fallback;
    }

    /// <summary>Any value, as scalars, lists and mappings of text.</summary>
    public PipelineValue Value(YamlNode node, string path)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                return new ScalarValue(scalar.Value ?? "");
            case YamlSequenceNode sequence:
                var items = new List<PipelineValue>(sequence.Children.Count);
                Sequence(sequence, path, (item, itemPath) => items.Add(Value(item, itemPath)));
                return new ListValue(items);
            default:
                var entries = new List<KeyValuePair<string, PipelineValue>>();
                Entries(node, path, (key, value, childPath, _) => entries.Add(new(key, Value(value, childPath))));
                return new MapValue(entries);
        }
    }

    private static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode s => s.Value ?? "",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => node.NodeType.ToString(),
    };
}
