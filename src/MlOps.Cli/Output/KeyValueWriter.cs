namespace MlOps.Cli.Output;

/// <summary><c>key:   value</c> lines with the values lined up; a key starting with spaces is a sub-item.</summary>
internal sealed class KeyValueWriter
{
    private readonly List<(string Key, string Value)> _lines = [];

    public KeyValueWriter Add(string key, string value)
    {
        _lines.Add((key, value));
        return this;
    }

    /// <summary>Adds the line only when <paramref name="value"/> is not empty.</summary>
    public KeyValueWriter AddIfSet(string key, string? value) => string.IsNullOrEmpty(value) ? this : Add(key, value);

    public void Write(TextWriter writer)
    {
        var width = _lines.Count == 0 ? 0 : _lines.Max(l => l.Key.Length) + 2;
        foreach (var (key, value) in _lines)
        {
            writer.WriteLine(((key + ":").PadRight(width) + value).TrimEnd());
        }
    }
}
