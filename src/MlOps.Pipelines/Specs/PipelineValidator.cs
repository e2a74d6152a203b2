using MlOps.Core.Jobs;
using MlOps.Pipelines.Planning;

namespace MlOps.Pipelines.Specs;

/// <summary>
/// Checks a <see cref="PipelineSpec"/> and returns every problem at once, each with its field path as written in
/// the YAML (<c>steps[2].inputs.data: unknown step 'prep'</c>): names (unique, lowercase), kinds, references to
/// existing steps and their declared outputs, parameters that exist, cycles (named), and each kind's params
/// (required keys, types, unknown keys; a train step's job through the job spec checks).
/// </summary>
public static class PipelineValidator
{
    /// <summary>Params are checked with the parameters' values substituted: the defaults, or
    /// <paramref name="parameterOverrides"/> for a run (a name the pipeline does not declare is an error).</summary>
    public static IReadOnlyList<FieldError> Validate(PipelineSpec spec, IReadOnlyDictionary<string, string>? parameterOverrides = null)
    {
        var errors = new List<FieldError>();
        PlanBuilder.Build(spec, parameterOverrides, errors);
        return errors;
    }
}
