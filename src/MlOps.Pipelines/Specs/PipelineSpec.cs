namespace MlOps.Pipelines.Specs;

/// <summary>
/// A pipeline as written: a name, run-time parameters with their defaults, and steps. Nothing here is checked;
/// <see cref="PipelineValidator"/> (and <see cref="PipelineYaml.Parse"/>, which calls it) does that, and
/// <see cref="Planning.PipelinePlanner"/> turns a valid spec into an executable plan.
/// </summary>
public sealed record PipelineSpec
{
    public string Name { get; init; } = "";

    public string Description { get; init; } = "";

    /// <summary>Parameters in the order declared; each can be overridden when the pipeline is run.</summary>
    public IReadOnlyList<PipelineParameter> Parameters { get; init; } = [];

    /// <summary>Steps in the order declared; that order breaks ties in the execution order.</summary>
    public IReadOnlyList<StepSpec> Steps { get; init; } = [];
}

/// <summary>A run-time parameter: referenced as <c>${parameters.NAME}</c> in inputs and params.</summary>
public sealed record PipelineParameter(string Name, string Default);

/// <summary>One step as written.</summary>
public sealed record StepSpec
{
    /// <summary>Unique in the pipeline: lowercase letters, digits and '-'.</summary>
    public string Name { get; init; } = "";

    /// <summary>One of <see cref="StepKinds.Names"/>; kept as written so the validator can name a bad one.</summary>
    public string Kind { get; init; } = "";

    public string Description { get; init; } = "";

    /// <summary>Input name → reference text: <c>steps.STEP.outputs.NAME</c>, an artifact reference such as
    /// <c>dataset:fashion-mnist@3</c>, or text with <c>${parameters.NAME}</c> that becomes one.</summary>
    public IReadOnlyList<StepInputSpec> Inputs { get; init; } = [];

    /// <summary>Names of the artifacts the step produces.</summary>
    public IReadOnlyList<string> Outputs { get; init; } = [];

    /// <summary>Kind-specific settings (see the README's table).</summary>
    public MapValue Params { get; init; } = MapValue.Empty;

    /// <summary>Ordering-only dependencies, on top of those the inputs imply.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>False: always run, never reuse or store cached outputs.</summary>
    public bool Cache { get; init; } = true;
}

/// <summary>One input of a step: its name inside the step and the reference text.</summary>
public sealed record StepInputSpec(string Name, string Reference);
