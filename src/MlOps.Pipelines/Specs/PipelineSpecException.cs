using MlOps.Core.Jobs;

namespace MlOps.Pipelines.Specs;

/// <summary>Thrown when a pipeline spec (or a run's parameter overrides) has one or more problems; carries every
/// one found, each with its field path as written in the YAML (<c>steps[2].inputs.data</c>).</summary>
public sealed class PipelineSpecException : Exception
{
    public PipelineSpecException(IReadOnlyList<FieldError> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<FieldError> Errors { get; }

    public static string Describe(IReadOnlyList<FieldError> errors) =>
        errors.Count == 1
            ? $"invalid pipeline: {errors[0]}"
            : $"invalid pipeline ({errors.Count} errors): " + string.Join("; ", errors);
}
