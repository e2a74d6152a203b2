using System.Text.RegularExpressions;
using MlOps.Contracts;

namespace MlOps.Agent.Jobs;

/// <summary>
/// What a command job's program sees of its workspace: <c>${inputs.NAME}</c> and <c>${outputs.NAME}</c> in argv and env
/// values become the local directories of that input and output, and <see cref="InputsVariable"/> and
/// <see cref="OutputsVariable"/> name the folders that hold them all. A reference to an undeclared name is left as
/// written (the spec validator refuses such specs at submit).
/// </summary>
internal static partial class CommandArguments
{
    public const string InputsVariable = "MLOPS_INPUTS";
    public const string OutputsVariable = "MLOPS_OUTPUTS";

    public static Func<string, string> Substitution(CommandSpec command, CommandWorkspace workspace)
    {
        var inputs = command.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var outputs = command.Outputs.ToHashSet(StringComparer.Ordinal);
        return text => Reference().Replace(text, match =>
        {
            var name = match.Groups[2].Value;
            return match.Groups[1].Value == "inputs"
                ? inputs.Contains(name) ? workspace.InputPath(name) : match.Value
                : outputs.Contains(name) ? workspace.OutputPath(name) : match.Value;
        });
    }

    [GeneratedRegex(@"\$\{(inputs|outputs)\.([a-z][a-z0-9_-]{0,62})\}")]
    private static partial Regex Reference();
}
