namespace MlOps.LoadTest.Scenarios;

/// <summary>
/// One problem in a scenario file. <see cref="Field"/> is the path as written in the YAML, e.g.
/// <c>scenarios[1].load.open.rate</c> or <c>defaults.warm_up</c> (a value inherited from <c>defaults</c> is
/// reported where it is written, once).
/// </summary>
/// <param name="Field">Path of the offending key or value; <c>(file)</c> or <c>(yaml)</c> for whole-file problems.</param>
/// <param name="Message">What is wrong and, where it helps, what would be accepted.</param>
/// <param name="Line">1-based line of the offending node, when known.</param>
public sealed record ScenarioFileError(string Field, string Message, int? Line = null)
{
    public override string ToString() => Line is { } line ? $"{Field}: {Message} (line {line})" : $"{Field}: {Message}";
}

/// <summary>Thrown when a scenario file cannot be used; carries every error found in it, not just the first.</summary>
public sealed class ScenarioFileException : Exception
{
    public ScenarioFileException(string source, IReadOnlyList<ScenarioFileError> errors)
        : base(Describe(source, errors))
    {
        SourceName = source;
        Errors = errors;
    }

    /// <summary>The file (or the name the caller gave the text) the errors are in.</summary>
    public string SourceName { get; }

    /// <summary>Every error, in document order.</summary>
    public IReadOnlyList<ScenarioFileError> Errors { get; }

    private static string Describe(string source, IReadOnlyList<ScenarioFileError> errors) =>
        errors.Count == 1
            ? $"invalid scenario file {source}: {errors[0]}"
            : $"invalid scenario file {source} ({errors.Count} errors):{Environment.NewLine}  "
              + string.Join(Environment.NewLine + "  ", errors);
}
