using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MlOps.Testing;

public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string? Label(string name) => Labels.TryGetValue(name, out var value) ? value : null;
}

public sealed record PrometheusFamily(string Name, string Help, string Type, List<PrometheusSample> Samples);

/// <summary>
/// A strict reader of the Prometheus text format 0.0.4, for tests: every line is <c># HELP</c>, <c># TYPE</c>, another
/// comment, or <c>name{labels} value</c>; each family is announced once by HELP then TYPE, before its samples; a
/// sample belongs to the family above it (a histogram's as <c>_bucket</c>, <c>_sum</c>, <c>_count</c>); label
/// values use only the escapes <c>\\</c>, <c>\"</c>, <c>\n</c>. Anything else throws <see cref="FormatException"/>.
/// </summary>
public static partial class PrometheusText
{
    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public static IReadOnlyDictionary<string, PrometheusFamily> Parse(string text)
    {
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("the exposition must end with a line feed");
        }

        var families = new Dictionary<string, PrometheusFamily>(StringComparer.Ordinal);
        PrometheusFamily? current = null;
        string? help = null, helpName = null;
        foreach (var line in text.Split('\n')[..^1])
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var (name, rest) = SplitName(line["# HELP ".Length..], line);
                if (families.ContainsKey(name) || helpName is not null)
                {
                    throw new FormatException($"family '{name}' announced twice, or HELP without TYPE: {line}");
                }

                (helpName, help) = (name, UnescapeHelp(rest, line));
            }
            else if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var (name, type) = SplitName(line["# TYPE ".Length..], line);
                if (name != helpName || !Types.Contains(type))
                {
                    throw new FormatException($"TYPE must follow the HELP of the same family and name a known type: {line}");
                }

                current = families[name] = new PrometheusFamily(name, help!, type, []);
                (helpName, help) = (null, null);
            }
            else if (line.StartsWith('#'))
            {
                continue;
            }
            else
            {
                var sample = ParseSample(line);
                if (current is null || !Belongs(sample.Name, current))
                {
                    throw new FormatException($"sample outside its family ('{current?.Name}'): {line}");
                }

                current.Samples.Add(sample);
            }
        }

        return families;
    }

    private static bool Belongs(string sample, PrometheusFamily family) =>
        sample == family.Name ||
        (family.Type == "histogram" && (sample == family.Name + "_bucket" || sample == family.Name + "_sum" || sample == family.Name + "_count"));

    private static PrometheusSample ParseSample(string line)
    {
        var match = SampleLine().Match(line);
        if (!match.Success)
        {
            throw new FormatException($"not a sample line: {line}");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var body = match.Groups["labels"].Value;
        var at = 0;
        while (at < body.Length)
        {
            var name = LabelName().Match(body, at);
            if (!name.Success || name.Index != at)
            {
                throw new FormatException($"bad label at {at}: {line}");
            }

            at += name.Length;
            var value = new StringBuilder();
            for (; ; at++)
            {
                if (at >= body.Length)
                {
                    throw new FormatException($"unterminated label value: {line}");
                }

                if (body[at] == '"')
                {
                    break;
                }

                if (body[at] == '\\')
                {
                    at++;
                    value.Append(at < body.Length ? body[at] switch
                    {
                        '\\' => '\\',
                        '"' => '"',
                        'n' => '\n',
                        _ => throw new FormatException($"unknown escape '\\{body[at]}': {line}"),
                    } : throw new FormatException($"dangling backslash: {line}"));
                    continue;
                }

                value.Append(body[at]);
            }

            if (!labels.TryAdd(name.Groups[1].Value, value.ToString()))
            {
                throw new FormatException($"label '{name.Groups[1].Value}' twice: {line}");
            }

            at++; // the closing quote
            if (at < body.Length && body[at++] != ',')
            {
                throw new FormatException($"labels must be separated by commas: {line}");
            }
        }

        return new PrometheusSample(match.Groups["name"].Value, labels, ParseValue(match.Groups["value"].Value, line));
    }

    private static double ParseValue(string text, string line) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"bad value '{text}': {line}"),
    };

    private static (string Name, string Remainder) SplitName(string text, string line)
    {
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var name = space < 0 ? text : text[..space];
        if (!MetricName().IsMatch(name))
        {
            throw new FormatException($"bad metric name '{name}': {line}");
        }

        return (name, space < 0 ? string.Empty : text[(space + 1)..]);
    }

    private static string UnescapeHelp(string text, string line)
    {
        var value = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                value.Append(text[i]);
                continue;
            }

            value.Append(++i < text.Length ? text[i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                _ => throw new FormatException($"unknown escape in: {line}"),
            } : throw new FormatException($"dangling backslash in: {line}"));
        }

        return value.ToString();
    }

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"\G([a-zA-Z_][a-zA-Z0-9_]*)=""")]
    private static partial Regex LabelName();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)$")]
    private static partial Regex SampleLine();
}
