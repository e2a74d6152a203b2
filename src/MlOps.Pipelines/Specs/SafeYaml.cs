using System.Diagnostics.CodeAnalysis;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace MlOps.Pipelines.Specs;

/// <summary>
/// Loads one YAML document as plain nodes, refusing what a spec never needs and an attacker could abuse: aliases
/// (exponential expansion), tags (custom types), nesting deeper than <see cref="MaxDepth"/> (the node loader
/// recurses) and more than <see cref="MaxNodes"/> nodes. The guard runs over the parser's event stream, which does
/// not recurse, before anything is built.
/// </summary>
internal static class SafeYaml
{
    public const int MaxDepth = 64;
    public const int MaxNodes = 100_000;

    public static bool TryLoad(string yaml, [NotNullWhen(true)] out YamlMappingNode? root, [NotNullWhen(false)] out string? error)
    {
        root = null;
        try
        {
            error = Guard(yaml);
            if (error is not null)
            {
                return false;
            }

            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count != 1)
            {
                error = stream.Documents.Count == 0 ? "the document is empty" : "the file holds more than one YAML document";
                return false;
            }

            if (stream.Documents[0].RootNode is not YamlMappingNode mapping)
            {
                error = "the top level must be a mapping of keys";
                return false;
            }

            root = mapping;
            return true;
        }
        catch (YamlException ex)
        {
            error = $"line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}";
            return false;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up this way on some unterminated flow collections.
            error = "malformed YAML: an unclosed '[', '{' or quote";
            return false;
        }
    }

    private static string? Guard(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var depth = 0;
        var nodes = 0;
        while (parser.MoveNext())
        {
            var current = parser.Current;
            switch (current)
            {
                case AnchorAlias alias:
                    return $"line {alias.Start.Line}: aliases (*{alias.Value}) are not supported; write the value out";
                case NodeEvent node when !node.Tag.IsEmpty && !node.Tag.IsNonSpecific:
                    return $"line {node.Start.Line}: tags ({node.Tag}) are not supported";
                case MappingStart or SequenceStart when ++depth > MaxDepth:
                    return $"line {current.Start.Line}: nested more than {MaxDepth} levels deep";
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }

            if (current is NodeEvent && ++nodes > MaxNodes)
            {
                return $"line {current.Start.Line}: more than {MaxNodes} values";
            }
        }

        return null;
    }
}
