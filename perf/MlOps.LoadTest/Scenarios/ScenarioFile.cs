using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MlOps.LoadTest.Scenarios;

/// <summary>
/// Reads a YAML scenario file: an optional <c>defaults:</c> mapping (any scenario key but <c>name</c>, applied to
/// every scenario that leaves that key out) and a <c>scenarios:</c> list. Every problem in the file is collected —
/// with its field path, e.g. <c>scenarios[1].load.open.rate</c>, and line — and thrown together as one
/// <see cref="ScenarioFileException"/>. The file is loaded as a plain node tree (safe loading): tags and anchors
/// never construct objects.
/// </summary>
/// <remarks>
/// <c>duration</c> and <c>requests</c> are inherited from the defaults as one choice: a scenario that sets either
/// takes neither from the defaults, and a ramp (bounded by its steps) takes neither, so one default duration can
/// serve the closed and open scenarios of a file that also holds ramps.
/// </remarks>
public static partial class ScenarioFile
{
    /// <summary>Largest file accepted, so a stray multi-gigabyte file is refused before parsing.</summary>
    public const int MaxBytes = 1 << 20;

    private static readonly string[] TopKeys = ["defaults", "scenarios"];

    /// <summary>Reads and parses the file at <paramref name="path"/>.</summary>
    /// <exception cref="ScenarioFileException">The file is missing, too large or invalid; every error is listed.</exception>
    public static IReadOnlyList<Scenario> Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new ScenarioFileException(path, [new ScenarioFileError("(file)", "not found")]);
        }

        if (info.Length > MaxBytes)
        {
            throw new ScenarioFileException(path, [new ScenarioFileError("(file)", $"is {info.Length:N0} bytes; a scenario file may be at most {MaxBytes:N0}")]);
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses scenario YAML; <paramref name="sourceName"/> names it in error messages.</summary>
    /// <exception cref="ScenarioFileException">The text is not a valid scenario file; every error is listed.</exception>
    public static IReadOnlyList<Scenario> Parse(string yaml, string sourceName)
    {
        var root = LoadRoot(yaml, sourceName);
        var reader = new YamlFieldReader();
        var top = reader.Mapping(root, "", TopKeys) ?? [];

        var defaults = new Dictionary<string, YamlField>(StringComparer.Ordinal);
        if (top.TryGetValue("defaults", out var defaultsField))
        {
            defaults = reader.Mapping(defaultsField.Value, defaultsField.Path, ScenarioReader.Keys) ?? defaults;
            if (defaults.Remove("name", out var name))
            {
                reader.Error(name.Value, name.Path, "every scenario needs its own name; set it on each scenario instead");
            }

            ScenarioReader.ReadValues(reader, defaults);
        }

        var scenarios = new List<Scenario>();
        if (!top.TryGetValue("scenarios", out var list))
        {
            reader.Error(root, "scenarios", "is required: a list of scenarios");
        }
        else if (reader.Sequence(list.Value, list.Path) is { } items)
        {
            if (items.Count == 0)
            {
                reader.Error(list.Value, list.Path, "is empty; add at least one scenario");
            }

            scenarios.AddRange(items.Select(item => ScenarioReader.Read(reader, item, defaults)).OfType<Scenario>());
            CheckUniqueNames(reader, items);
        }

        if (reader.Errors.Count > 0)
        {
            // An inherited default is read once per scenario; its errors are reported once, in document order.
            throw new ScenarioFileException(sourceName, [.. reader.Errors.Distinct().OrderBy(e => e.Line ?? 0)]);
        }

        return scenarios;
    }

    private static YamlNode LoadRoot(string yaml, string sourceName)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new ScenarioFileException(sourceName, [new ScenarioFileError("(yaml)", WithoutMarks(ex.Message), (int)ex.Start.Line)]);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up this way on some unterminated flow collections.
            throw new ScenarioFileException(sourceName, [new ScenarioFileError("(yaml)", "malformed YAML: an unclosed '[', '{' or quote")]);
        }

        if (stream.Documents.Count > 1)
        {
            throw new ScenarioFileException(sourceName, [new ScenarioFileError("(yaml)", "the file holds more than one YAML document")]);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            throw new ScenarioFileException(sourceName, [new ScenarioFileError("(file)", "is empty; it needs a 'scenarios:' list")]);
        }

        return stream.Documents[0].RootNode;
    }

    /// <summary>Names become result file names, so two that differ only in case would overwrite each other.</summary>
    private static void CheckUniqueNames(YamlFieldReader reader, IReadOnlyList<YamlField> items)
    {
        var first = new Dictionary<string, YamlField>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in items)
        {
            if (item.Value is not YamlMappingNode mapping ||
                !mapping.Children.TryGetValue(new YamlScalarNode("name"), out var nameNode) ||
                nameNode is not YamlScalarNode { Value: { } rawName } || rawName.Trim() is not { Length: > 0 } name)
            {
                continue;
            }

            if (first.TryGetValue(name, out var earlier))
            {
                reader.Error(nameNode, $"{item.Path}.name", $"'{name}' is already the name of {earlier.Path} (line {earlier.Value.Start.Line}); scenario names must be unique");
            }
            else
            {
                first[name] = item;
            }
        }
    }

    /// <summary>YamlDotNet prefixes its messages with the start and end marks; the line is reported separately.</summary>
    private static string WithoutMarks(string message) => MarksPrefix().Replace(message, "");

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex MarksPrefix();
}
