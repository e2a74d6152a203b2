using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace MlOps.LoadTest.Scenarios;

/// <summary>A value in a YAML mapping, with the path its errors are reported under.</summary>
internal readonly record struct YamlField(YamlNode Value, string Path);

/// <summary>
/// Typed access to a YAML node tree that records an error (field path and line) and returns null instead of
/// throwing, so one pass over a file finds every problem in it. Only the representation model is read: no tag,
/// anchor or type name in the file ever makes YamlDotNet construct an object.
/// </summary>
internal sealed class YamlFieldReader
{
    private readonly List<ScenarioFileError> _errors = [];

    public IReadOnlyList<ScenarioFileError> Errors => _errors;

    public void Error(YamlNode node, string path, string message) => Error(path, message, (int)node.Start.Line);

    public void Error(string path, string message, int? line) =>
        _errors.Add(new ScenarioFileError(path.Length == 0 ? "(root)" : path, message, line));

    /// <summary>The keys of a mapping that are in <paramref name="allowed"/>; any other key is an error naming the allowed ones.</summary>
    public Dictionary<string, YamlField>? Mapping(YamlNode node, string path, IReadOnlyList<string> allowed)
    {
        if (node is not YamlMappingNode mapping)
        {
            Error(node, path, $"must be a mapping with the keys {string.Join(", ", allowed)}; got {Describe(node)}");
            return null;
        }

        var fields = new Dictionary<string, YamlField>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } key })
            {
                Error(keyNode, path, "keys must be plain names");
                continue;
            }

            var childPath = path.Length == 0 ? key : $"{path}.{key}";
            if (allowed.Contains(key, StringComparer.Ordinal))
            {
                // YamlDotNet already refuses a key that appears twice, so this never overwrites.
                fields[key] = new YamlField(valueNode, childPath);
            }
            else
            {
                Error(keyNode, childPath, $"unknown key '{key}'; expected one of: {string.Join(", ", allowed)}");
            }
        }

        return fields;
    }

    public IReadOnlyList<YamlField>? Sequence(YamlNode node, string path)
    {
        if (node is not YamlSequenceNode sequence)
        {
            Error(node, path, $"must be a list; got {Describe(node)}");
            return null;
        }

        return [.. sequence.Children.Select((item, i) => new YamlField(item, $"{path}[{i}]"))];
    }

    public string? Text(YamlField field)
    {
        if (field.Value is YamlScalarNode { Value: { } value } && value.Trim().Length > 0)
        {
            return value.Trim();
        }

        Error(field.Value, field.Path, field.Value is YamlScalarNode ? "must not be empty" : $"must be a text value; got {Describe(field.Value)}");
        return null;
    }

    public int? Int32(YamlField field, int min, int max) =>
        (int?)Int64(field, min, max);

    public long? Int64(YamlField field, long min, long max)
    {
        if (field.Value is YamlScalarNode { Value: { } text } &&
            long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) &&
            value >= min && value <= max)
        {
            return value;
        }

        var range = max == long.MaxValue ? $"at least {min.ToString("N0", CultureInfo.InvariantCulture)}"
            : $"from {min.ToString("N0", CultureInfo.InvariantCulture)} to {max.ToString("N0", CultureInfo.InvariantCulture)}";
        Error(field.Value, field.Path, $"must be a whole number {range}; got {Describe(field.Value)}");
        return null;
    }

    /// <summary>A finite number greater than 0 and at most <paramref name="max"/>.</summary>
    public double? PositiveNumber(YamlField field, double max)
    {
        if (field.Value is YamlScalarNode { Value: { } text } &&
            double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out var value) &&
            value > 0 && value <= max)
        {
            return value;
        }

        Error(field.Value, field.Path, $"must be a number greater than 0 and at most {max.ToString("N0", CultureInfo.InvariantCulture)}; got {Describe(field.Value)}");
        return null;
    }

    /// <summary>A duration such as <c>250ms</c> (see <see cref="DurationText"/>); zero only when <paramref name="allowZero"/>.</summary>
    public TimeSpan? Duration(YamlField field, bool allowZero)
    {
        if (field.Value is not YamlScalarNode { Value: { } text })
        {
            Error(field.Value, field.Path, $"must be a duration such as 10s, 250ms or 1.5m; got {Describe(field.Value)}");
            return null;
        }

        if (!DurationText.TryParse(text, out var value, out var error))
        {
            Error(field.Value, field.Path, error);
            return null;
        }

        if (value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero))
        {
            Error(field.Value, field.Path, allowZero ? $"must not be negative; got '{text}'" : $"must be greater than 0; got '{text}'");
            return null;
        }

        return value;
    }

    public static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode { Value: { Length: > 0 } value } => $"'{value}'",
        YamlScalarNode => "nothing",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => node.NodeType.ToString(),
    };
}
