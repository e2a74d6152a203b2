namespace MlOps.LoadTest.Scenarios;

/// <summary>Reads a scenario's <c>thresholds:</c> and <c>actions:</c> lists.</summary>
internal static class ActionAndThresholdReader
{
    private static readonly string[] ActionKeys = ["at", "run", "label"];

    /// <summary>Every threshold that parses; the others are errors at <c>thresholds[i]</c>.</summary>
    public static IReadOnlyList<Threshold>? ReadThresholds(YamlFieldReader reader, YamlField field)
    {
        var items = reader.Sequence(field.Value, field.Path);
        if (items is null)
        {
            return null;
        }

        var thresholds = new List<Threshold>(items.Count);
        foreach (var item in items)
        {
            var text = reader.Text(item);
            if (text is null)
            {
                continue;
            }

            if (ThresholdParser.TryParse(text, out var threshold, out var error))
            {
                thresholds.Add(threshold);
            }
            else
            {
                reader.Error(item.Value, item.Path, error);
            }
        }

        return thresholds;
    }

    /// <summary>Every well-formed action, each with its <c>at</c> field for later checks against the run's length.</summary>
    public static IReadOnlyList<(ScenarioAction Action, YamlField At)>? ReadActions(YamlFieldReader reader, YamlField field)
    {
        var items = reader.Sequence(field.Value, field.Path);
        if (items is null)
        {
            return null;
        }

        var actions = new List<(ScenarioAction, YamlField)>(items.Count);
        foreach (var item in items)
        {
            var fields = reader.Mapping(item.Value, item.Path, ActionKeys);
            if (fields is null)
            {
                continue;
            }

            TimeSpan? at = null;
            if (fields.TryGetValue("at", out var atField))
            {
                at = reader.Duration(atField, allowZero: true);
            }
            else
            {
                reader.Error(item.Value, $"{item.Path}.at", "is required: when to start the command, e.g. 'at: 5s'");
            }

            string? run = null;
            if (fields.TryGetValue("run", out var runField))
            {
                run = reader.Text(runField);
            }
            else
            {
                reader.Error(item.Value, $"{item.Path}.run", "is required: the shell command to start");
            }

            var label = fields.TryGetValue("label", out var labelField) ? reader.Text(labelField) : null;
            if (at is { } start && run is not null)
            {
                actions.Add((new ScenarioAction(start, run, label), atField));
            }
        }

        return actions;
    }
}
