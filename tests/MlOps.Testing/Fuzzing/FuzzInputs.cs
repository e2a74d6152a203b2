using System.Text;

namespace MlOps.Testing.Fuzzing;

/// <summary>
/// Hand-made hostile inputs that random mutation rarely reaches: deep nesting (a recursive parser's stack), YAML alias
/// bombs ("billion laughs"), huge numbers and long strings. Tests add them to their seeds.
/// </summary>
public static class FuzzInputs
{
    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary><paramref name="depth"/> opening brackets, <paramref name="inner"/>, then the closing ones.</summary>
    public static string Nested(int depth, string open = "[", string close = "]", string inner = "") =>
        new StringBuilder(depth * (open.Length + close.Length) + inner.Length)
            .Insert(0, open, depth).Append(inner).Insert(depth * open.Length + inner.Length, close, depth).ToString();

    /// <summary>A YAML "billion laughs": <paramref name="levels"/> anchors, each a list of
    /// <paramref name="width"/> aliases of the previous one (width^levels values once expanded), then
    /// <paramref name="use"/> (e.g. <c>"name: *l9\n"</c>) to reach the last.</summary>
    public static string YamlAliasBomb(int levels = 9, int width = 10, string use = "")
    {
        var text = new StringBuilder("l0: &l0 [" + string.Join(",", Enumerable.Repeat("lol", width)) + "]\n");
        for (var i = 1; i < levels; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"l{i}: &l{i} [")
                .Append(string.Join(",", Enumerable.Repeat($"*l{i - 1}", width))).Append("]\n");
        }

        return text.Append(use).ToString();
    }

    /// <summary>Typical hostile YAML documents around <paramref name="valid"/> (a valid document of the format):
    /// deep flow and block nesting, alias bombs used as a value and as a key, a recursive alias, a tag naming a .NET
    /// type, a very long scalar and every boundary number after the first key.</summary>
    public static IEnumerable<byte[]> HostileYaml(string valid)
    {
        yield return Utf8("name: " + Nested(200_000));
        yield return Utf8("name: " + Nested(50_000, "{a: ", "}", "1"));
        yield return Utf8(string.Concat(Enumerable.Range(0, 5_000).Select(i => new string(' ', i) + "a:\n")));
        yield return Utf8(YamlAliasBomb(use: "name: *l8\n"));
        yield return Utf8(YamlAliasBomb(use: "? *l8\n: 1\n"));
        yield return Utf8("a: &a [*a]\n" + valid);
        yield return Utf8(valid + "\nextra: !!System.Diagnostics.Process {StartInfo: {FileName: /bin/true}}\n");
        yield return Utf8(valid.Replace("\n", "\n# " + new string('x', 100_000) + "\n", StringComparison.Ordinal));
        yield return Utf8("name: \"" + new string('a', 500_000) + "\"\n");
        foreach (var number in Mutator.BoundaryNumbers)
        {
            yield return Utf8(System.Text.RegularExpressions.Regex.Replace(valid, "[0-9]+", number));
        }
    }

    /// <summary>Typical hostile JSON: deep arrays and objects, a huge number, a lone surrogate escape, a long string.</summary>
    public static IEnumerable<byte[]> HostileJson(string valid)
    {
        yield return Utf8(Nested(100_000));
        yield return Utf8(Nested(10_000, "{\"a\":", "}", "1"));
        yield return Utf8(valid.Replace(": \"", ": \"\\ud800", StringComparison.Ordinal).Replace(":\"", ":\"\\udc00", StringComparison.Ordinal));
        yield return Utf8(valid.Replace("[", "[1e999,", StringComparison.Ordinal));
        yield return Utf8("{\"x\":\"" + new string('a', 500_000) + "\"}");
        foreach (var number in Mutator.BoundaryNumbers.Where(n => !n.StartsWith('.')))
        {
            yield return Utf8(System.Text.RegularExpressions.Regex.Replace(valid, "[0-9]+", number));
        }
    }
}
