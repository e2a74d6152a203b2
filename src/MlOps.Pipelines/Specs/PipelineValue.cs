namespace MlOps.Pipelines.Specs;

/// <summary>
/// A value in a step's <c>params</c>: a scalar (kept as the text written, so <c>0.05</c> and <c>"0.05"</c> are the
/// same value), a list or a mapping. Only these three shapes exist: the YAML loader never constructs other types.
/// </summary>
public abstract class PipelineValue
{
    private protected PipelineValue()
    {
    }

    /// <summary>A short description for error messages: the text, "a list" or "a mapping".</summary>
    public abstract string Describe();
}

/// <summary>A scalar; YAML's <c>key:</c> with nothing after it is the empty text.</summary>
public sealed class ScalarValue(string text) : PipelineValue
{
    public string Text { get; } = text;

    public override string Describe() => Text;

    public override string ToString() => Text;
}

/// <summary>A sequence of values, in order.</summary>
public sealed class ListValue(IReadOnlyList<PipelineValue> items) : PipelineValue
{
    public IReadOnlyList<PipelineValue> Items { get; } = items;

    public override string Describe() => "a list";

    /// <summary>A list of scalars.</summary>
    public static ListValue Of(params string[] items) => new([.. items.Select(i => new ScalarValue(i))]);
}

/// <summary>A mapping with unique keys, kept in the order written (hashing sorts keys; see <c>StepCacheKey</c>).</summary>
public sealed class MapValue : PipelineValue
{
    private readonly Dictionary<string, PipelineValue> _byKey;

    public MapValue(IReadOnlyList<KeyValuePair<string, PipelineValue>> entries)
    {
        _byKey = new Dictionary<string, PipelineValue>(StringComparer.Ordinal);
        foreach (var (key, value) in entries)
        {
            if (!_byKey.TryAdd(key, value))
            {
                throw new ArgumentException($"key '{key}' appears twice", nameof(entries));
            }
        }

        Entries = entries;
    }

    public static MapValue Empty { get; } = new([]);

    public IReadOnlyList<KeyValuePair<string, PipelineValue>> Entries { get; }

    public int Count => Entries.Count;

    public PipelineValue? this[string key] => _byKey.GetValueOrDefault(key);

    public bool TryGetValue(string key, out PipelineValue value)
    {
        if (_byKey.TryGetValue(key, out var found))
        {
            value = found;
            return true;
        }

        value = Empty;
        return false;
    }

    public override string Describe() => "a mapping";

    /// <summary>A mapping of scalars, in the order given.</summary>
    public static MapValue Of(params (string Key, string Value)[] entries) =>
        new([.. entries.Select(e => new KeyValuePair<string, PipelineValue>(e.Key, new ScalarValue(e.Value)))]);
}
