namespace MlOps.Core.Jobs;

/// <summary>One problem with one field of a spec. <see cref="Field"/> is the snake_case path as written in
/// the YAML file and the protobuf message, e.g. <c>hyper_parameters.epochs</c> or <c>model.layers[2].p</c>.</summary>
public sealed record FieldError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>Thrown when a spec has one or more bad fields; carries every error found, not just the first.</summary>
public sealed class SpecValidationException : Exception
{
    public SpecValidationException(IReadOnlyList<FieldError> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<FieldError> Errors { get; }

    public static string Describe(IReadOnlyList<FieldError> errors) =>
        errors.Count == 1
            ? $"invalid job spec: {errors[0]}"
            : $"invalid job spec ({errors.Count} errors): " + string.Join("; ", errors);
}
