using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MlOps.Core.Jobs;

/// <summary>
/// The checks every spec document (job spec, pipeline) passes before YamlDotNet builds nodes from it, refusing what a
/// spec never needs and an attacker could abuse: aliases (a "billion laughs" document is a few hundred bytes that hash
/// or walk exponentially), nesting deeper than <see cref="MaxDepth"/> (the node loader recurses: 100,000 '[' overflow
/// the stack and end the process, which no catch can stop), more than <see cref="MaxNodes"/> values and, where the
/// caller asks, tags. The check reads the parser's event stream, which does not recurse, and stops at the first problem.
/// </summary>
public static class YamlSafety
{
    /// <summary>Deepest nesting of lists and mappings accepted. A job spec needs 4 levels.</summary>
    public const int MaxDepth = 64;

    /// <summary>Most scalars, lists and mappings in one document.</summary>
    public const int MaxNodes = 100_000;

    /// <summary>The first reason <paramref name="yaml"/> may not be loaded, with its line, or null when it may.</summary>
    /// <param name="yaml">The document's text.</param>
    /// <param name="allowTags">Whether tags (<c>!!str</c>, <c>!custom</c>) pass; nothing here ever resolves a tag to a
    /// type, so a tag is only noise to a node reader.</param>
    /// <exception cref="YamlException">The document is not well-formed YAML (the caller's parse error path).</exception>
    public static string? Problem(string yaml, bool allowTags)
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
                case NodeEvent node when !allowTags && !node.Tag.IsEmpty && !node.Tag.IsNonSpecific:
                    return $"line {node.Start.Line}: tags ({node.Tag}) are not supported";
                case MappingStart or SequenceStart when ++depth > MaxDepth:
                    return $"line {current!.Start.Line}: nested more than {MaxDepth} levels deep";
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

    /// <summary>The error text for an <see cref="ArgumentException"/> YamlDotNet throws on some malformed documents
    /// (a tag that is not a URI, an event its loader does not expect), without the parameter name.</summary>
    public static string Malformed(ArgumentException exception)
    {
        var message = exception.Message;
        var parameter = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return "malformed YAML: " + (parameter < 0 ? message : message[..parameter]);
    }
}
