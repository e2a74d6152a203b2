using System.Diagnostics.CodeAnalysis;
using MlOps.Core.Jobs;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MlOps.Pipelines.Specs;

/// <summary>
/// Loads one YAML document as plain nodes, refusing what a spec never needs and an attacker could abuse: aliases
/// (exponential expansion), tags (custom types), nesting deeper than <see cref="MaxDepth"/> (the node loader
/// recurses) and more than <see cref="MaxNodes"/> nodes: <see cref="YamlSafety"/>, the guard job specs share, run over
/// the parser's event stream (which does not recurse) before anything is built.
/// </summary>
internal static class SafeYaml
{
    public const int MaxDepth = YamlSafety.MaxDepth;
    public const int MaxNodes = YamlSafety.MaxNodes;

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
        catch (ArgumentException ex)
        {
            // And this way on a malformed tag ("!!]") or an event its loader does not expect (found by fuzzing).
            error = YamlSafety.Malformed(ex);
            return false;
        }
    }

    private static string? Guard(string yaml) => YamlSafety.Problem(yaml, allowTags: false);
}
