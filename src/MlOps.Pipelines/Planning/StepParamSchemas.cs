using System.Globalization;
using System.Text.RegularExpressions;
using MlOps.Contracts;
using MlOps.Core.Jobs;
using MlOps.Pipelines.Specs;

namespace MlOps.Pipelines.Planning;

/// <summary>What each step kind accepts in <c>params</c> and which inputs it needs. The README's table is written
/// from this; keep the two in step.</summary>
internal static partial class StepParamSchemas
{
    private static readonly Dictionary<string, ParamRule> Resources = new(StringComparer.Ordinal)
    {
        ["cpu_cores"] = ParamRule.Int(0, 1024),
        ["memory_mb"] = ParamRule.Int(0, long.MaxValue),
        ["gpus"] = ParamRule.Int(0, 64),
        ["gpu_memory_mb"] = ParamRule.Int(0, long.MaxValue),
        ["gpu_model"] = new(ParamType.Text),
    };

    private static readonly Dictionary<StepKind, KindSchema> Schemas = new()
    {
        [StepKind.Ingest] = new(
            new(StringComparer.Ordinal)
            {
                ["source"] = new(ParamType.Text, Required: true),
                ["dataset"] = new(ParamType.Text, Required: true),
                ["format"] = new(ParamType.Text),
                ["description"] = new(ParamType.Text),
            },
            []),
        [StepKind.Validate] = new(
            new(StringComparer.Ordinal)
            {
                ["format"] = new(ParamType.Text),
                ["min_examples"] = ParamRule.Int(0, long.MaxValue),
                ["num_classes"] = ParamRule.Int(1, int.MaxValue),
                ["checks"] = new(ParamType.TextList),
            },
            ["data"]),
        [StepKind.Prepare] = new(
            new(StringComparer.Ordinal)
            {
                // The agent's built-in prepare step (MlOps.Core BuiltinSteps): a share of the images shifted, published
                // as a version of `dataset` (default: PIPELINE-STEP).
                ["dataset"] = new(ParamType.Text),
                ["brightness"] = ParamRule.Number(-1, 1),
                ["contrast"] = ParamRule.Number(0, 10),
                ["invert"] = new(ParamType.Bool),
                ["train_fraction"] = ParamRule.Number(0, 1),
                ["test_fraction"] = ParamRule.Number(0, 1),
                ["append"] = new(ParamType.Bool),
                ["seed"] = ParamRule.Int(0, int.MaxValue),
                ["resources"] = new(ParamType.Object, Fields: Resources),
            },
            ["data"]),
        [StepKind.Train] = new(
            new(StringComparer.Ordinal)
            {
                ["job"] = new(ParamType.Job, Required: true),
            },
            ["data"]),
        [StepKind.Evaluate] = new(
            new(StringComparer.Ordinal)
            {
                // The agent's built-in evaluate step: the model on the dataset's test split; below min_accuracy the step fails.
                ["min_accuracy"] = ParamRule.Number(0, 1),
                ["resources"] = new(ParamType.Object, Fields: Resources),
            },
            ["model", "data"]),
        [StepKind.Register] = new(
            new(StringComparer.Ordinal)
            {
                ["model"] = new(ParamType.Text, Required: true),
                ["aliases"] = new(ParamType.TextList),
                ["description"] = new(ParamType.Text),
            },
            ["model"]),
        [StepKind.Deploy] = new(
            new(StringComparer.Ordinal)
            {
                ["name"] = new(ParamType.Text),
                ["replicas"] = ParamRule.Int(1, 64),
                ["agent_selector"] = new(ParamType.TextMap),
                ["canary_percent"] = ParamRule.Int(1, 99),
            },
            ["model"]),
        [StepKind.Command] = new(
            new(StringComparer.Ordinal)
            {
                ["command"] = new(ParamType.Command, Required: true),
                ["env"] = new(ParamType.TextMap),
                ["resources"] = new(ParamType.Object, Fields: Resources),
                ["code"] = new(ParamType.Artifact),
            },
            []),
    };

    public static KindSchema For(StepKind kind) => Schemas[kind];

    /// <summary>Checks a step's params (parameters already substituted) against its kind's schema.</summary>
    public static void Check(StepKind kind, MapValue parameters, string path, string stepName, List<FieldError> errors)
    {
        var schema = Schemas[kind];
        CheckObject(schema.Params, parameters, path, Describe(kind), stepName, errors);
    }

    /// <summary>"a train step", "an ingest step".</summary>
    public static string Describe(StepKind kind)
    {
        var name = kind.ToName();
        return $"{("aeiou".Contains(name[0], StringComparison.Ordinal) ? "an" : "a")} {name} step";
    }

    private static void CheckObject(IReadOnlyDictionary<string, ParamRule> fields, MapValue map, string path, string owner, string stepName, List<FieldError> errors)
    {
        foreach (var (key, value) in map.Entries)
        {
            var childPath = $"{path}.{key}";
            if (fields.TryGetValue(key, out var rule))
            {
                CheckValue(rule, value, childPath, stepName, errors);
            }
            else
            {
                errors.Add(new FieldError(childPath, $"unknown key '{key}' for {owner}; expected one of: {string.Join(", ", fields.Keys)}"));
            }
        }

        foreach (var (key, rule) in fields)
        {
            if (rule.Required && map[key] is null)
            {
                errors.Add(new FieldError($"{path}.{key}", $"is required for {owner}"));
            }
        }
    }

    private static void CheckValue(ParamRule rule, PipelineValue value, string path, string stepName, List<FieldError> errors)
    {
        void Error(string message) => errors.Add(new FieldError(path, message));

        switch (rule.Type)
        {
            case ParamType.Text:
                if (value is not ScalarValue)
                {
                    Error($"must be a text value, got {value.Describe()}");
                }

                break;
            case ParamType.Int:
                if (value is not ScalarValue { Text: var intText } ||
                    !long.TryParse(intText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) ||
                    whole < rule.Min || whole > rule.Max)
                {
                    Error(rule.Max >= long.MaxValue
                        ? $"must be a whole number of at least {rule.Min}, got '{value.Describe()}'"
                        : $"must be a whole number from {rule.Min} to {rule.Max}, got '{value.Describe()}'");
                }

                break;
            case ParamType.Number:
                if (!IsNumber(value, out var number) || number < rule.Min || number > rule.Max)
                {
                    Error($"must be a number from {rule.Min.ToString(CultureInfo.InvariantCulture)} to {rule.Max.ToString(CultureInfo.InvariantCulture)}, got '{value.Describe()}'");
                }

                break;
            case ParamType.Bool:
                if (value is not ScalarValue { Text: var boolText } || !bool.TryParse(boolText, out _))
                {
                    Error($"must be true or false, got '{value.Describe()}'");
                }

                break;
            case ParamType.TextList or ParamType.Command:
                CheckTextList(rule, value, path, errors);
                break;
            case ParamType.TextMap or ParamType.NumberMap:
                CheckMapOfScalars(rule.Type == ParamType.NumberMap, value, path, errors);
                break;
            case ParamType.Object when value is MapValue map:
                CheckObject(rule.Fields!, map, path, path[(path.LastIndexOf('.') + 1)..], stepName, errors);
                break;
            case ParamType.Object:
                Error($"must be a mapping of keys ({string.Join(", ", rule.Fields!.Keys)}), got {value.Describe()}");
                break;
            case ParamType.Artifact:
                if (value is not ScalarValue { Text: var reference })
                {
                    Error($"must be an artifact reference (TYPE:NAME[@VERSION]), got {value.Describe()}");
                }
                else if (!ArtifactReference.TryParse(reference, out _, out var referenceError))
                {
                    Error(referenceError);
                }

                break;
            case ParamType.Job:
                CheckJob(value, path, stepName, errors);
                break;
        }
    }

    private static void CheckTextList(ParamRule rule, PipelineValue value, string path, List<FieldError> errors)
    {
        if (value is not ListValue list)
        {
            errors.Add(new FieldError(path, $"must be a list of text values, got '{value.Describe()}'"));
            return;
        }

        for (var i = 0; i < list.Items.Count; i++)
        {
            if (list.Items[i] is not ScalarValue)
            {
                errors.Add(new FieldError($"{path}[{i}]", $"must be a text value, got {list.Items[i].Describe()}"));
            }
        }

        if (rule.Type == ParamType.Command && (list.Items.Count == 0 || list.Items[0] is ScalarValue { Text.Length: 0 }))
        {
            errors.Add(new FieldError(path, "must name the program to run: a list whose first item is the executable, e.g. [python3, prepare.py]"));
        }
    }

    private static void CheckMapOfScalars(bool numbers, PipelineValue value, string path, List<FieldError> errors)
    {
        if (value is not MapValue map)
        {
            errors.Add(new FieldError(path, $"must be a mapping of {(numbers ? "numbers" : "text values")}, got '{value.Describe()}'"));
            return;
        }

        foreach (var (key, item) in map.Entries)
        {
            if (numbers ? !IsNumber(item, out _) : item is not ScalarValue)
            {
                errors.Add(new FieldError($"{path}.{key}", $"must be {(numbers ? "a number" : "a text value")}, got '{item.Describe()}'"));
            }
        }
    }

    private static bool IsNumber(PipelineValue value, out double number)
    {
        number = 0;
        return value is ScalarValue { Text: var text } &&
               double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number) &&
               double.IsFinite(number);
    }

    /// <summary>A train step's job goes through the job spec reader and validator, so a bad layer or epoch count is
    /// reported when the pipeline is submitted, not when the step runs. The dataset is the step's <c>data</c>
    /// input, so the job must not name one.</summary>
    private static void CheckJob(PipelineValue value, string path, string stepName, List<FieldError> errors)
    {
        if (value is ScalarValue)
        {
            errors.Add(new FieldError(path, "a job file path is read only when the pipeline is loaded from a file (PipelineYaml.LoadFile, which puts the file inline); write the job spec here as a mapping"));
            return;
        }

        if (value is not MapValue map)
        {
            errors.Add(new FieldError(path, $"must be a job spec (a mapping), got {value.Describe()}"));
            return;
        }

        JobSpec job;
        try
        {
            job = JobSpecYaml.Parse(PipelineYaml.Emit(PipelineYamlWriter.Value(map)));
        }
        catch (SpecValidationException ex)
        {
            errors.AddRange(ex.Errors.Select(e => Nested(path, e)));
            return;
        }

        if (job.Dataset is { } dataset && (dataset.Name.Length > 0 || dataset.Version.Length > 0 || dataset.Digest.Length > 0))
        {
            errors.Add(new FieldError($"{path}.dataset", "the dataset comes from the step's input 'data'; leave it out of the job"));
        }

        var probe = job.Clone();
        probe.Dataset = new DatasetRef { Name = "pipeline-input" };
        if (probe.Name.Length == 0)
        {
            probe.Name = stepName;
        }

        errors.AddRange(JobSpecValidator.Validate(probe)
            .Where(e => !e.Field.StartsWith("dataset", StringComparison.Ordinal))
            .Select(e => Nested(path, e)));
    }

    private static FieldError Nested(string path, FieldError error)
    {
        var field = error.Field.StartsWith('(') ? path : $"{path}.{error.Field}";

        // Line numbers from the job reader count lines of the re-emitted job, not of the pipeline file.
        return new FieldError(field, LineSuffix().Replace(error.Message, ""));
    }

    [GeneratedRegex(@"\s*\(line \d+\)$")]
    private static partial Regex LineSuffix();
}

internal enum ParamType
{
    Text,
    Int,
    Number,
    Bool,
    TextList,
    TextMap,
    NumberMap,
    Object,
    Artifact,
    Job,
    Command,
}

internal sealed record ParamRule(
    ParamType Type,
    bool Required = false,
    double Min = double.MinValue,
    double Max = double.MaxValue,
    IReadOnlyDictionary<string, ParamRule>? Fields = null)
{
    public static ParamRule Int(long min, long max) => new(ParamType.Int, Min: min, Max: max);

    public static ParamRule Number(double min, double max) => new(ParamType.Number, Min: min, Max: max);
}

/// <summary>A kind's params and the inputs it cannot run without.</summary>
internal sealed record KindSchema(Dictionary<string, ParamRule> Params, IReadOnlyList<string> RequiredInputs);
