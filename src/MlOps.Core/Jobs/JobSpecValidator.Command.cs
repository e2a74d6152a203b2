using System.Text.RegularExpressions;
using MlOps.Contracts;

namespace MlOps.Core.Jobs;

/// <summary>The checks of a command job's <see cref="CommandSpec"/>: a program or a known built-in step, inputs and
/// outputs with names that are safe as directory names, and references (<c>${inputs.NAME}</c>) to declared ones only.</summary>
public static partial class JobSpecValidator
{
    /// <summary>The kinds of <see cref="CommandInput.Kind"/>.</summary>
    public static readonly IReadOnlyList<string> InputKinds = ["dataset", "model", "artifact"];

    /// <summary>Set by the agent for every command (directories of the inputs and outputs); a spec may not set them.</summary>
    public static readonly IReadOnlyList<string> ReservedEnvironment = ["MLOPS_INPUTS", "MLOPS_OUTPUTS"];

    public const int MaxCommandInputs = 64;
    public const int MaxCommandOutputs = 64;
    public const int MaxArgs = 1024;

    /// <summary>Input and output names, as pipeline names: they become directory names under the work directory.</summary>
    [GeneratedRegex("^[a-z][a-z0-9_-]{0,62}$")]
    private static partial Regex CommandNamePattern();

    /// <summary>The OCI distribution repository rule (MlOps.Artifacts' ArtifactNames), which this assembly cannot reference.</summary>
    [GeneratedRegex(@"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial Regex EnvironmentNamePattern();

    [GeneratedRegex(@"\$\{(inputs|outputs)\.([^}]*)\}")]
    private static partial Regex ReferencePattern();

    private const string NameRule = "must start with a lowercase letter, then up to 62 lowercase letters, digits, '_' or '-'";

    private static void ValidateCommand(CommandSpec command, List<FieldError> errors)
    {
        void Error(string field, string message) => errors.Add(new FieldError(field, message));

        var hasArgv = command.Argv.Count > 0;
        var builtin = command.Builtin;
        if (!hasArgv && builtin.Length == 0)
        {
            Error("command", "needs argv (the program to run) or builtin (" + string.Join(" or ", BuiltinSteps.Names) + ")");
        }
        else if (hasArgv && builtin.Length > 0)
        {
            Error("command.builtin", "cannot be combined with command.argv: give one or the other");
        }

        if (builtin.Length > 0 && !BuiltinSteps.Names.Contains(builtin, StringComparer.Ordinal))
        {
            Error("command.builtin", $"must be one of: {string.Join(", ", BuiltinSteps.Names)}; got '{builtin}'");
        }

        if (hasArgv && string.IsNullOrWhiteSpace(command.Argv[0]))
        {
            Error("command.argv[0]", "must name the program to run");
        }

        if (command.Argv.Count > MaxArgs)
        {
            Error("command.argv", $"must have at most {MaxArgs} items, got {command.Argv.Count}");
        }

        for (var i = 0; i < command.Argv.Count; i++)
        {
            if (command.Argv[i].Contains('\0', StringComparison.Ordinal))
            {
                Error($"command.argv[{i}]", "must not contain a NUL character");
            }
        }

        var inputs = ValidateInputs(command, errors);
        var outputs = ValidateOutputs(command, errors);

        foreach (var (name, value) in command.Env.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!EnvironmentNamePattern().IsMatch(name))
            {
                Error($"command.env.{name}", "must be a variable name: a letter or '_', then letters, digits or '_'");
            }
            else if (ReservedEnvironment.Contains(name, StringComparer.Ordinal))
            {
                Error($"command.env.{name}", "is set by the agent (the directories of the inputs and outputs)");
            }

            if (value.Contains('\0', StringComparison.Ordinal))
            {
                Error($"command.env.{name}", "must not contain a NUL character");
            }
        }

        for (var i = 0; i < command.Argv.Count; i++)
        {
            CheckReferences(command.Argv[i], $"command.argv[{i}]", inputs, outputs, errors);
        }

        foreach (var (name, value) in command.Env)
        {
            CheckReferences(value, $"command.env.{name}", inputs, outputs, errors);
        }

        if (command.TimeoutSeconds < 0)
        {
            Error("command.timeout_seconds", "must be zero (no limit) or positive");
        }

        if (builtin.Length == 0)
        {
            if (command.Params.Count > 0)
            {
                Error("command.params", "apply to a built-in step only; pass a program's settings in argv or env");
            }
        }
        else if (BuiltinSteps.RequiredInputs(builtin) is { } required)
        {
            foreach (var (name, kind) in required)
            {
                var given = command.Inputs.FirstOrDefault(i => i.Name == name);
                if (given is null)
                {
                    Error("command.inputs", $"the {builtin} step needs an input named '{name}' of kind {kind}");
                }
                else if (given.Kind != kind)
                {
                    Error("command.inputs", $"the {builtin} step's input '{name}' must be of kind {kind}, got '{given.Kind}'");
                }
            }

            foreach (var name in BuiltinSteps.RequiredOutputs(builtin).Where(o => !outputs.Contains(o)))
            {
                Error("command.outputs", $"the {builtin} step needs an output named '{name}'");
            }

            BuiltinSteps.CheckParams(builtin, command.Params, errors);
        }
    }

    private static HashSet<string> ValidateInputs(CommandSpec command, List<FieldError> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (command.Inputs.Count > MaxCommandInputs)
        {
            errors.Add(new FieldError("command.inputs", $"must have at most {MaxCommandInputs} items, got {command.Inputs.Count}"));
        }

        for (var i = 0; i < command.Inputs.Count; i++)
        {
            var input = command.Inputs[i];
            var path = $"command.inputs[{i}]";
            if (string.IsNullOrEmpty(input.Name))
            {
                errors.Add(new FieldError($"{path}.name", "is required"));
            }
            else if (!CommandNamePattern().IsMatch(input.Name))
            {
                errors.Add(new FieldError($"{path}.name", $"{NameRule}, got '{input.Name}'"));
            }
            else if (!names.Add(input.Name))
            {
                errors.Add(new FieldError($"{path}.name", $"'{input.Name}' is used by an earlier input"));
            }

            if (!InputKinds.Contains(input.Kind, StringComparer.Ordinal))
            {
                errors.Add(new FieldError($"{path}.kind", $"must be one of: {string.Join(", ", InputKinds)}; got '{input.Kind}'"));
            }

            if (RepositoryProblem(input.Repository) is { } problem)
            {
                errors.Add(new FieldError($"{path}.repository", problem));
            }

            if (!Digests.Sha256Digest.IsValid(input.ManifestDigest))
            {
                errors.Add(new FieldError($"{path}.manifest_digest", "must be 'sha256:' followed by 64 lowercase hex digits"));
            }
        }

        return names;
    }

    private static HashSet<string> ValidateOutputs(CommandSpec command, List<FieldError> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (command.Outputs.Count > MaxCommandOutputs)
        {
            errors.Add(new FieldError("command.outputs", $"must have at most {MaxCommandOutputs} items, got {command.Outputs.Count}"));
        }

        for (var i = 0; i < command.Outputs.Count; i++)
        {
            var name = command.Outputs[i];
            if (!CommandNamePattern().IsMatch(name))
            {
                errors.Add(new FieldError($"command.outputs[{i}]", $"{NameRule}, got '{name}'"));
            }
            else if (!names.Add(name))
            {
                errors.Add(new FieldError($"command.outputs[{i}]", $"'{name}' appears twice"));
            }
        }

        if (command.Outputs.Count > 0 && RepositoryProblem(command.OutputRepository) is { } problem)
        {
            errors.Add(new FieldError("command.output_repository", problem + " (the outputs are pushed there)"));
        }
        else if (command.Outputs.Count == 0 && command.OutputRepository.Length > 0 && RepositoryProblem(command.OutputRepository) is { } unused)
        {
            errors.Add(new FieldError("command.output_repository", unused));
        }

        return names;
    }

    private static void CheckReferences(string text, string field, HashSet<string> inputs, HashSet<string> outputs, List<FieldError> errors)
    {
        foreach (Match match in ReferencePattern().Matches(text))
        {
            var declared = match.Groups[1].Value == "inputs" ? inputs : outputs;
            if (!declared.Contains(match.Groups[2].Value))
            {
                errors.Add(new FieldError(field, $"{match.Value} names no declared {match.Groups[1].Value[..^1]}"));
            }
        }
    }

    private static string? RepositoryProblem(string repository) =>
        string.IsNullOrEmpty(repository) ? "is required"
        : repository.Length > 255 ? "must be at most 255 characters"
        : RepositoryPattern().IsMatch(repository) ? null
        : $"'{repository}' is not a repository name: lowercase components of letters and digits separated by '.', '_', '__' or '-', joined by '/'";
}
