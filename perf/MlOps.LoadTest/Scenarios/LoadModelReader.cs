namespace MlOps.LoadTest.Scenarios;

/// <summary>Reads a scenario's <c>load:</c> mapping: exactly one of <c>closed</c>, <c>open</c> or <c>ramp</c>.</summary>
internal static class LoadModelReader
{
    public const int MaxUsers = 100_000;
    public const int MaxInFlight = 1_000_000;

    /// <summary>Beyond this the gap between arrivals is below a tick and the pacing would be meaningless.</summary>
    public const double MaxRate = 10_000_000;

    private static readonly string[] Kinds = ["closed", "open", "ramp"];

    public static LoadModel? Read(YamlFieldReader reader, YamlField load)
    {
        var kinds = reader.Mapping(load.Value, load.Path, Kinds);
        if (kinds is null)
        {
            return null;
        }

        if (kinds.Count == 0)
        {
            reader.Error(load.Value, load.Path, "needs one of closed, open or ramp, e.g. 'closed: { users: 64 }'");
            return null;
        }

        // Read every kind given, so a second kind's own mistakes are reported along with the conflict.
        var models = kinds.Select(LoadModel? (kind) => kind.Key switch
        {
            "closed" => ReadClosed(reader, kind.Value),
            "open" => ReadOpen(reader, kind.Value),
            _ => ReadRamp(reader, kind.Value),
        }).ToList();
        if (kinds.Count > 1)
        {
            reader.Error(load.Value, load.Path, $"set exactly one of closed, open or ramp; found {string.Join(" and ", kinds.Keys)}");
            return null;
        }

        return models[0];
    }

    private static ClosedLoad? ReadClosed(YamlFieldReader reader, YamlField closed)
    {
        var fields = reader.Mapping(closed.Value, closed.Path, ["users", "think_time"]);
        if (fields is null)
        {
            return null;
        }

        int? users = fields.TryGetValue("users", out var u) ? reader.Int32(u, 1, MaxUsers) : Missing<int>(reader, closed, "users");
        TimeSpan? thinkTime = fields.TryGetValue("think_time", out var t) ? reader.Duration(t, allowZero: true) : TimeSpan.Zero;
        return users is { } n && thinkTime is { } think ? new ClosedLoad(n, think) : null;
    }

    private static OpenLoad? ReadOpen(YamlFieldReader reader, YamlField open)
    {
        var fields = reader.Mapping(open.Value, open.Path, ["rate", "max_in_flight"]);
        if (fields is null)
        {
            return null;
        }

        double? rate = fields.TryGetValue("rate", out var r) ? reader.PositiveNumber(r, MaxRate) : Missing<double>(reader, open, "rate");
        var maxInFlight = ReadMaxInFlight(reader, fields);
        return rate is { } perSecond && maxInFlight is { } limit ? new OpenLoad(perSecond, limit) : null;
    }

    private static RampLoad? ReadRamp(YamlFieldReader reader, YamlField ramp)
    {
        var fields = reader.Mapping(ramp.Value, ramp.Path, ["steps", "max_in_flight"]);
        if (fields is null)
        {
            return null;
        }

        var maxInFlight = ReadMaxInFlight(reader, fields);
        if (!fields.TryGetValue("steps", out var stepsField))
        {
            reader.Error(ramp.Value, $"{ramp.Path}.steps", "is required: a list of { rate, duration }");
            return null;
        }

        var items = reader.Sequence(stepsField.Value, stepsField.Path);
        if (items is null)
        {
            return null;
        }

        if (items.Count == 0)
        {
            reader.Error(stepsField.Value, stepsField.Path, "needs at least one step, e.g. '- { rate: 1000, duration: 5s }'");
            return null;
        }

        var steps = items.Select(item => ReadStep(reader, item)).ToList();
        return steps.All(s => s is not null) && maxInFlight is { } limit ? new RampLoad([.. steps.Select(s => s!)], limit) : null;
    }

    private static RampStep? ReadStep(YamlFieldReader reader, YamlField step)
    {
        var fields = reader.Mapping(step.Value, step.Path, ["rate", "duration"]);
        if (fields is null)
        {
            return null;
        }

        double? rate = fields.TryGetValue("rate", out var r) ? reader.PositiveNumber(r, MaxRate) : Missing<double>(reader, step, "rate");
        TimeSpan? duration = fields.TryGetValue("duration", out var d) ? reader.Duration(d, allowZero: false) : Missing<TimeSpan>(reader, step, "duration");
        return rate is { } perSecond && duration is { } length ? new RampStep(perSecond, length) : null;
    }

    private static int? ReadMaxInFlight(YamlFieldReader reader, Dictionary<string, YamlField> fields) =>
        fields.TryGetValue("max_in_flight", out var m) ? reader.Int32(m, 1, MaxInFlight) : OpenLoad.DefaultMaxInFlight;

    private static T? Missing<T>(YamlFieldReader reader, YamlField parent, string key)
        where T : struct
    {
        reader.Error(parent.Value, $"{parent.Path}.{key}", "is required");
        return null;
    }
}
