using System.Buffers;

namespace MlOps.LoadTest.Scenarios;

/// <summary>
/// Reads one entry of <c>scenarios:</c>, filling the keys it leaves out from <c>defaults:</c>. <c>duration</c>
/// and <c>requests</c> are inherited together, as one choice: a scenario that sets either takes neither from the
/// defaults, and a ramp (bounded by its steps) takes neither — so defaults can bound the closed and open scenarios
/// of a file that also holds ramps.
/// </summary>
internal static class ScenarioReader
{
    public const int MaxBatchSize = 1024;
    public const int MaxSamples = 10_000;
    public const int MaxConnections = 100_000;
    public const int MaxNameLength = 100;

    public static readonly string[] Keys =
    [
        "name", "transport", "target", "model", "version", "batch_size", "load", "duration", "requests",
        "warm_up", "timeout", "dataset", "samples", "connections", "thresholds", "actions",
    ];

    private static readonly string[] BoundKeys = ["duration", "requests"];

    private static readonly SearchValues<char> NameChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");

    /// <summary>Reads every value present in <paramref name="fields"/> without requiring any; used on <c>defaults:</c>
    /// too, so a bad default is reported even when every scenario overrides it.</summary>
    public static ScenarioValues ReadValues(YamlFieldReader reader, Dictionary<string, YamlField> fields)
    {
        var values = new ScenarioValues();
        foreach (var (key, field) in fields)
        {
            switch (key)
            {
                case "name": values.Name = ReadName(reader, field); break;
                case "transport": values.Transport = ReadTransport(reader, field); break;
                case "target": values.Target = ReadTarget(reader, field); break;
                case "model": values.Model = reader.Text(field); break;
                case "version": values.Version = reader.Text(field); break;
                case "batch_size": values.BatchSize = reader.Int32(field, 1, MaxBatchSize); break;
                case "load": values.Load = LoadModelReader.Read(reader, field); break;
                case "duration": values.Duration = reader.Duration(field, allowZero: false); break;
                case "requests": values.Requests = reader.Int64(field, 1, long.MaxValue); break;
                case "warm_up": values.WarmUp = reader.Duration(field, allowZero: true); break;
                case "timeout": values.Timeout = reader.Duration(field, allowZero: false); break;
                case "dataset": values.Dataset = reader.Text(field); break;
                case "samples": values.Samples = reader.Int32(field, 1, MaxSamples); break;
                case "connections": values.Connections = reader.Int32(field, 1, MaxConnections); break;
                case "thresholds": values.Thresholds = ActionAndThresholdReader.ReadThresholds(reader, field); break;
                case "actions": values.Actions = ActionAndThresholdReader.ReadActions(reader, field); break;
            }
        }

        return values;
    }

    /// <summary>The scenario, or null when it has errors (they are in <paramref name="reader"/>).</summary>
    public static Scenario? Read(YamlFieldReader reader, YamlField item, Dictionary<string, YamlField> defaults)
    {
        var errorsBefore = reader.Errors.Count;
        var own = reader.Mapping(item.Value, item.Path, Keys);
        if (own is null)
        {
            return null;
        }

        var ownsBound = BoundKeys.Any(own.ContainsKey);
        var fields = new Dictionary<string, YamlField>(own, StringComparer.Ordinal);
        foreach (var (key, field) in defaults)
        {
            if (!fields.ContainsKey(key) && !(ownsBound && BoundKeys.Contains(key)))
            {
                fields[key] = field;
            }
        }

        var values = ReadValues(reader, fields);
        foreach (var key in new[] { "name", "target", "model", "load" }.Where(k => !fields.ContainsKey(k)))
        {
            reader.Error(item.Value, $"{item.Path}.{key}", "is required; set it on the scenario or under defaults");
        }

        var bound = CheckBound(reader, item, own, fields, values);
        CheckActionTimes(reader, values, bound);
        if (reader.Errors.Count > errorsBefore || values is not { Name: { } name, Target: { } target, Model: { } model, Load: { } load })
        {
            return null;
        }

        return new Scenario
        {
            Name = name,
            Transport = values.Transport ?? TransportKind.Grpc,
            Target = target,
            Model = model,
            Version = values.Version,
            BatchSize = values.BatchSize ?? 1,
            Load = load,
            Duration = load is RampLoad ? null : values.Duration,
            Requests = load is RampLoad ? null : values.Requests,
            WarmUp = values.WarmUp ?? TimeSpan.FromSeconds(2),
            Timeout = values.Timeout ?? TimeSpan.FromSeconds(30),
            Dataset = values.Dataset ?? Scenario.DefaultDataset,
            Samples = values.Samples ?? 1000,
            Connections = values.Connections ?? Scenario.DefaultConnections,
            Thresholds = values.Thresholds ?? [],
            Actions = values.Actions?.Select(a => a.Action).ToList() ?? [],
        };
    }

    /// <summary>Checks that exactly one of duration / requests bounds the run (neither for a ramp); returns the
    /// measured window's length when it is known up front.</summary>
    private static TimeSpan? CheckBound(YamlFieldReader reader, YamlField item, Dictionary<string, YamlField> own,
        Dictionary<string, YamlField> fields, ScenarioValues values)
    {
        if (values.Load is RampLoad ramp)
        {
            foreach (var key in BoundKeys.Where(own.ContainsKey))
            {
                reader.Error(own[key].Value, own[key].Path, $"a ramp is bounded by its steps; remove {key}");
            }

            return ramp.Duration;
        }

        var hasDuration = fields.TryGetValue("duration", out var duration);
        var hasRequests = fields.TryGetValue("requests", out var requests);
        if (hasDuration && hasRequests)
        {
            reader.Error(requests.Value, requests.Path, $"set either duration or requests, not both (duration is set at {duration.Path})");
        }
        else if (!hasDuration && !hasRequests && values.Load is not null)
        {
            reader.Error(item.Value, item.Path, "needs duration or requests (on the scenario or under defaults) to bound the run");
        }

        return hasRequests ? null : values.Duration;
    }

    private static void CheckActionTimes(YamlFieldReader reader, ScenarioValues values, TimeSpan? window)
    {
        if (window is not { } end || values.Actions is null)
        {
            return;
        }

        foreach (var (action, at) in values.Actions.Where(a => a.Action.At >= end))
        {
            reader.Error(at.Value, at.Path, $"must be before the end of the measured window ({end.TotalSeconds:0.###}s); got {action.At.TotalSeconds:0.###}s");
        }
    }

    private static string? ReadName(YamlFieldReader reader, YamlField field)
    {
        var name = reader.Text(field);
        if (name is null)
        {
            return null;
        }

        // The name becomes the stem of the result files, so it must be a safe file name on every platform.
        if (name.Length > MaxNameLength || name.AsSpan().ContainsAnyExcept(NameChars) || name.Trim('.').Length == 0)
        {
            reader.Error(field.Value, field.Path,
                $"'{name}' is not a usable name: at most {MaxNameLength} letters, digits, '-', '_' and '.' (not only dots), as it names the result files");
            return null;
        }

        return name;
    }

    private static TransportKind? ReadTransport(YamlFieldReader reader, YamlField field)
    {
        var text = reader.Text(field);
        TransportKind? transport = text?.ToUpperInvariant() switch
        {
            null => null,
            "GRPC" => TransportKind.Grpc,
            "REST" => TransportKind.Rest,
            _ => null,
        };
        if (text is not null && transport is null)
        {
            reader.Error(field.Value, field.Path, $"must be grpc or rest; got '{text}'");
        }

        return transport;
    }

    private static Uri? ReadTarget(YamlFieldReader reader, YamlField field)
    {
        var text = reader.Text(field);
        if (text is null)
        {
            return null;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0)
        {
            return uri;
        }

        reader.Error(field.Value, field.Path, $"must be an absolute http:// or https:// address such as http://127.0.0.1:8001; got '{text}'");
        return null;
    }
}

/// <summary>What one mapping (a scenario or <c>defaults:</c>) set; null where it set nothing or the value was bad.</summary>
internal sealed class ScenarioValues
{
    public string? Name { get; set; }
    public TransportKind? Transport { get; set; }
    public Uri? Target { get; set; }
    public string? Model { get; set; }
    public string? Version { get; set; }
    public int? BatchSize { get; set; }
    public LoadModel? Load { get; set; }
    public TimeSpan? Duration { get; set; }
    public long? Requests { get; set; }
    public TimeSpan? WarmUp { get; set; }
    public TimeSpan? Timeout { get; set; }
    public string? Dataset { get; set; }
    public int? Samples { get; set; }
    public int? Connections { get; set; }
    public IReadOnlyList<Threshold>? Thresholds { get; set; }

    /// <summary>Each action with its <c>at</c> field, so a time past the end of the run can be reported there.</summary>
    public IReadOnlyList<(ScenarioAction Action, YamlField At)>? Actions { get; set; }
}
