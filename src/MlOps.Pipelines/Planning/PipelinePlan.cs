using System.Diagnostics.CodeAnalysis;
using MlOps.Pipelines.Specs;

namespace MlOps.Pipelines.Planning;

/// <summary>
/// A validated pipeline ready to run, with the run's parameter values substituted. <see cref="Steps"/> is a
/// topological order that is stable: among steps that are ready together, the one declared first comes first.
/// Each step lists its dependencies and dependents, so a runner can start a step as soon as everything it
/// needs has finished; <see cref="Levels"/> groups the steps into waves that could run side by side.
/// </summary>
public sealed class PipelinePlan
{
    private readonly Dictionary<string, PlannedStep> _byName;

    internal PipelinePlan(string name, string description, IReadOnlyDictionary<string, string> parameters, IReadOnlyList<PlannedStep> steps)
    {
        Name = name;
        Description = description;
        Parameters = parameters;
        Steps = steps;
        _byName = steps.ToDictionary(s => s.Name, StringComparer.Ordinal);
        Levels = ComputeLevels(steps);
    }

    public string Name { get; }

    public string Description { get; }

    /// <summary>Every declared parameter with the value this plan uses (override or default).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>The steps in execution order.</summary>
    public IReadOnlyList<PlannedStep> Steps { get; }

    /// <summary>Waves of step names: a step's dependencies all lie in earlier waves (each wave in plan order).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Levels { get; }

    public PlannedStep this[string name] => _byName.TryGetValue(name, out var step)
        ? step
        : throw new KeyNotFoundException($"pipeline '{Name}' has no step '{name}'");

    public bool TryGetStep(string name, [NotNullWhen(true)] out PlannedStep? step) => _byName.TryGetValue(name, out step);

    /// <summary>All steps that depend, directly or not, on <paramref name="name"/>, in plan order.</summary>
    public IReadOnlyList<string> Downstream(string name)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([name]);
        while (pending.TryPop(out var current))
        {
            foreach (var dependent in this[current].Dependents)
            {
                if (found.Add(dependent))
                {
                    pending.Push(dependent);
                }
            }
        }

        return [.. Steps.Select(s => s.Name).Where(found.Contains)];
    }

    private static List<IReadOnlyList<string>> ComputeLevels(IReadOnlyList<PlannedStep> steps)
    {
        var level = new Dictionary<string, int>(StringComparer.Ordinal);
        var levels = new List<List<string>>();
        foreach (var step in steps)
        {
            var mine = step.Dependencies.Count == 0 ? 0 : step.Dependencies.Max(d => level[d]) + 1;
            level[step.Name] = mine;
            if (levels.Count == mine)
            {
                levels.Add([]);
            }

            levels[mine].Add(step.Name);
        }

        return [.. levels.Select(l => (IReadOnlyList<string>)l)];
    }
}

/// <summary>
/// One step of a plan. <see cref="Params"/> has the parameters substituted; <see cref="Inputs"/> are resolved to
/// another step's output or an artifact reference. <see cref="Dependencies"/> are the steps it waits for (its
/// inputs' producers and <c>depends_on</c>), in declaration order.
/// </summary>
public sealed record PlannedStep
{
    public required string Name { get; init; }

    public required StepKind Kind { get; init; }

    /// <summary>Position in the spec's <c>steps</c> list.</summary>
    public required int DeclarationIndex { get; init; }

    public string Description { get; init; } = "";

    public required IReadOnlyList<PlannedInput> Inputs { get; init; }

    public required IReadOnlyList<string> Outputs { get; init; }

    public required MapValue Params { get; init; }

    /// <summary>A command step's <c>code</c> artifact: its digest is part of the step's code version.</summary>
    public ArtifactReference? Code { get; init; }

    public required IReadOnlyList<string> Dependencies { get; init; }

    public required IReadOnlyList<string> Dependents { get; init; }

    /// <summary>False when the spec says <c>cache: false</c>.</summary>
    public bool Cache { get; init; } = true;
}

/// <summary>One input of a planned step.</summary>
public sealed record PlannedInput(string Name, InputReference Source);
