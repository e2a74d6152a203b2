using System.Text.RegularExpressions;
using MlOps.Core.Jobs;
using MlOps.Pipelines.Specs;

namespace MlOps.Pipelines.Planning;

/// <summary>
/// Validation and planning in one pass, so what is checked is exactly what runs: every error is collected (with
/// its field path); only an error-free spec yields a <see cref="PipelinePlan"/>.
/// </summary>
internal static partial class PlanBuilder
{
    public const int MaxSteps = 500;

    public static PipelinePlan? Build(PipelineSpec spec, IReadOnlyDictionary<string, string>? overrides, List<FieldError> errors)
    {
        var before = errors.Count;
        void Error(string field, string message) => errors.Add(new FieldError(field, message));

        if (spec.Name.Length == 0)
        {
            Error("name", "is required");
        }
        else if (!StepNamePattern().IsMatch(spec.Name))
        {
            Error("name", NameRule);
        }

        var parameters = ResolveParameters(spec, overrides, Error);

        if (spec.Steps.Count == 0)
        {
            Error("steps", "at least one step is required");
        }
        else if (spec.Steps.Count > MaxSteps)
        {
            Error("steps", $"has {spec.Steps.Count} steps; a pipeline may have at most {MaxSteps}");
            return null;
        }

        // Names first, so references to steps declared later resolve.
        var indexByName = new Dictionary<string, int>(StringComparer.Ordinal);
        var kinds = new StepKind?[spec.Steps.Count];
        for (var i = 0; i < spec.Steps.Count; i++)
        {
            var step = spec.Steps[i];
            var path = $"steps[{i}]";
            if (step.Name.Length == 0)
            {
                Error($"{path}.name", "is required");
            }
            else if (!StepNamePattern().IsMatch(step.Name))
            {
                Error($"{path}.name", NameRule);
            }
            else if (!indexByName.TryAdd(step.Name, i))
            {
                Error($"{path}.name", $"'{step.Name}' is already the name of steps[{indexByName[step.Name]}]");
            }

            if (step.Kind.Length == 0)
            {
                Error($"{path}.kind", $"is required; one of: {string.Join(", ", StepKinds.Names)}");
            }
            else if (StepKinds.TryParse(step.Kind, out var kind))
            {
                kinds[i] = kind;
            }
            else
            {
                Error($"{path}.kind", $"unknown kind '{step.Kind}'; expected one of: {string.Join(", ", StepKinds.Names)}");
            }
        }

        var steps = new StepDraft[spec.Steps.Count];
        for (var i = 0; i < spec.Steps.Count; i++)
        {
            steps[i] = new StepReader(spec.Steps, i, kinds[i], indexByName, parameters, errors).Read();
        }

        var dependencies = steps.Select(s => (IReadOnlyList<int>)[.. s.Dependencies.Order()]).ToArray();
        foreach (var cycle in DependencyGraph.Cycles(dependencies))
        {
            Error($"steps[{cycle[0]}]", $"dependency cycle: {string.Join(" -> ", cycle.Select(i => spec.Steps[i].Name))} (each step needs the one before it)");
        }

        if (errors.Count > before)
        {
            return null;
        }

        var dependents = DependencyGraph.Dependents(dependencies);
        var planned = DependencyGraph.TopologicalOrder(dependencies).Select(i => new PlannedStep
        {
            Name = spec.Steps[i].Name,
            Kind = kinds[i]!.Value,
            DeclarationIndex = i,
            Description = spec.Steps[i].Description,
            Inputs = steps[i].Inputs,
            Outputs = spec.Steps[i].Outputs,
            Params = steps[i].Params,
            Code = steps[i].Code,
            Dependencies = [.. dependencies[i].Select(d => spec.Steps[d].Name)],
            Dependents = [.. dependents[i].Select(d => spec.Steps[d].Name)],
            Cache = spec.Steps[i].Cache,
        }).ToList();
        return new PipelinePlan(spec.Name, spec.Description, parameters, planned);
    }

    private static Dictionary<string, string> ResolveParameters(PipelineSpec spec, IReadOnlyDictionary<string, string>? overrides, Action<string, string> error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var parameter in spec.Parameters)
        {
            var path = $"parameters.{parameter.Name}";
            if (!ParameterNamePattern().IsMatch(parameter.Name))
            {
                error(path, "a parameter name is a letter or '_' followed by letters, digits or '_' (at most 64)");
            }
            else if (!values.TryAdd(parameter.Name, parameter.Default))
            {
                error(path, "is declared twice");
            }

            if (Expressions.HasExpression(parameter.Default))
            {
                error(path, "a parameter's value cannot hold a ${...} expression");
            }
        }

        foreach (var (name, value) in overrides ?? new Dictionary<string, string>())
        {
            var path = $"parameters.{name}";
            if (!values.ContainsKey(name))
            {
                error(path, values.Count == 0
                    ? "was given for this run, but the pipeline declares no parameters"
                    : $"was given for this run, but the pipeline declares no such parameter; declared: {string.Join(", ", values.Keys)}");
            }
            else if (Expressions.HasExpression(value))
            {
                error(path, "a parameter's value cannot hold a ${...} expression");
            }
            else
            {
                values[name] = value;
            }
        }

        return values;
    }

    private const string NameRule = "must be 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit";

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")]
    internal static partial Regex StepNamePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    private static partial Regex ParameterNamePattern();

    /// <summary>Input and output names: what a command step writes as <c>${inputs.NAME}</c>.</summary>
    [GeneratedRegex("^[a-z][a-z0-9_-]{0,62}$")]
    internal static partial Regex ArtifactNamePattern();
}

/// <summary>What <see cref="StepReader"/> makes of one step.</summary>
internal sealed record StepDraft(
    IReadOnlyList<PlannedInput> Inputs,
    MapValue Params,
    ArtifactReference? Code,
    IReadOnlySet<int> Dependencies);
