namespace MlOps.Pipelines.Specs;

/// <summary>What a step does. The built-in kinds run code of the executor's version; <see cref="Command"/>
/// runs a command the pipeline names.</summary>
public enum StepKind
{
    Ingest,
    Validate,
    Prepare,
    Train,
    Evaluate,
    Register,
    Deploy,
    Command,
}

/// <summary>The YAML names of <see cref="StepKind"/>.</summary>
public static class StepKinds
{
    private static readonly Dictionary<string, StepKind> ByName = new(StringComparer.Ordinal)
    {
        ["ingest"] = StepKind.Ingest,
        ["validate"] = StepKind.Validate,
        ["prepare"] = StepKind.Prepare,
        ["train"] = StepKind.Train,
        ["evaluate"] = StepKind.Evaluate,
        ["register"] = StepKind.Register,
        ["deploy"] = StepKind.Deploy,
        ["command"] = StepKind.Command,
    };

    /// <summary>The names in declaration order of the enum.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. ByName.Keys];

    public static bool TryParse(string name, out StepKind kind) => ByName.TryGetValue(name, out kind);

    /// <summary>The lowercase YAML name, as it also appears in cache keys.</summary>
    public static string ToName(this StepKind kind) => kind switch
    {
        StepKind.Ingest => "ingest",
        StepKind.Validate => "validate",
        StepKind.Prepare => "prepare",
        StepKind.Train => "train",
        StepKind.Evaluate => "evaluate",
        StepKind.Register => "register",
        StepKind.Deploy => "deploy",
        StepKind.Command => "command",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown step kind"),
    };
}
