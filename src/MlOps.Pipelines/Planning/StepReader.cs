using System.Text.RegularExpressions;
using MlOps.Core.Jobs;
using MlOps.Pipelines.Specs;

namespace MlOps.Pipelines.Planning;

/// <summary>Checks and resolves one step of a spec: its outputs, inputs (to another step's output or an artifact),
/// <c>depends_on</c>, and params (parameters substituted, then checked against the kind's schema).</summary>
internal sealed partial class StepReader(
    IReadOnlyList<StepSpec> steps,
    int index,
    StepKind? kind,
    IReadOnlyDictionary<string, int> indexByName,
    IReadOnlyDictionary<string, string> parameters,
    List<FieldError> errors)
{
    private readonly StepSpec _step = steps[index];
    private readonly string _path = $"steps[{index}]";
    private readonly HashSet<int> _dependencies = [];
    private readonly HashSet<string> _unsubstituted = new(StringComparer.Ordinal);

    public StepDraft Read()
    {
        var outputs = ReadOutputs();
        var (inputs, inputNames) = ReadInputs();
        ReadDependsOn();

        var scope = kind == StepKind.Command
            ? new ExpressionScope(parameters, inputNames, outputs)
            : new ExpressionScope(parameters);
        var resolved = (MapValue)Substitute(_step.Params, $"{_path}.params", scope);
        ArtifactReference? code = null;
        if (kind is { } known)
        {
            // A value whose expression could not be substituted has been reported; its type is not checked too.
            var schemaErrors = new List<FieldError>();
            StepParamSchemas.Check(known, resolved, $"{_path}.params", _step.Name, schemaErrors);
            errors.AddRange(schemaErrors.Where(e => !_unsubstituted.Contains(e.Field)));
            if (known == StepKind.Command && resolved["code"] is ScalarValue { Text: var codeText } &&
                ArtifactReference.TryParse(codeText, out var codeReference, out _))
            {
                code = codeReference;
            }
        }

        return new StepDraft(inputs, resolved, code, _dependencies);
    }

    private void Error(string field, string message) => errors.Add(new FieldError(field, message));

    private HashSet<string> ReadOutputs()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var j = 0; j < _step.Outputs.Count; j++)
        {
            var name = _step.Outputs[j];
            if (!PlanBuilder.ArtifactNamePattern().IsMatch(name))
            {
                Error($"{_path}.outputs[{j}]", $"'{name}' is not a valid output name: {ArtifactNameRule}");
            }
            else if (!names.Add(name))
            {
                Error($"{_path}.outputs[{j}]", $"'{name}' is listed twice");
            }
        }

        return names;
    }

    private (List<PlannedInput> Inputs, HashSet<string> Names) ReadInputs()
    {
        var inputs = new List<PlannedInput>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in _step.Inputs)
        {
            var path = $"{_path}.inputs.{input.Name}";
            if (!PlanBuilder.ArtifactNamePattern().IsMatch(input.Name))
            {
                Error(path, $"'{input.Name}' is not a valid input name: {ArtifactNameRule}");
            }
            else if (!names.Add(input.Name))
            {
                Error(path, "is declared twice");
                continue;
            }

            if (ResolveInput(input.Reference, path) is { } source)
            {
                inputs.Add(new PlannedInput(input.Name, source));
            }
        }

        if (kind is { } known)
        {
            foreach (var required in StepParamSchemas.For(known).RequiredInputs.Where(r => !names.Contains(r)))
            {
                Error($"{_path}.inputs", $"{StepParamSchemas.Describe(known)} needs an input named '{required}'");
            }
        }

        return (inputs, names);
    }

    private InputReference? ResolveInput(string reference, string path)
    {
        if (reference.Length == 0)
        {
            Error(path, "is required: steps.STEP.outputs.NAME or an artifact reference TYPE:NAME[@VERSION]");
            return null;
        }

        if (reference.StartsWith(StepOutputReference.Prefix, StringComparison.Ordinal))
        {
            var match = StepOutputPattern().Match(reference);
            if (!match.Success)
            {
                Error(path, $"'{reference}' must have the form steps.STEP.outputs.NAME");
                return null;
            }

            var (stepName, output) = (match.Groups[1].Value, match.Groups[2].Value);
            if (stepName == _step.Name)
            {
                Error(path, "a step cannot use its own outputs");
                return null;
            }

            if (!indexByName.TryGetValue(stepName, out var producer))
            {
                Error(path, $"unknown step '{stepName}'");
                return null;
            }

            var declared = steps[producer].Outputs;
            if (!declared.Contains(output, StringComparer.Ordinal))
            {
                Error(path, declared.Count == 0
                    ? $"step '{stepName}' declares no outputs"
                    : $"step '{stepName}' has no output '{output}'; it declares: {string.Join(", ", declared)}");
                return null;
            }

            _dependencies.Add(producer);
            return new StepOutputReference(stepName, output);
        }

        var failed = false;
        var text = Expressions.Substitute(reference, new ExpressionScope(parameters), message =>
        {
            Error(path, message);
            failed = true;
        });
        if (failed)
        {
            return null;
        }

        if (!ArtifactReference.TryParse(text, out var artifact, out var error))
        {
            Error(path, text == reference ? error : $"{error} (from '{reference}')");
            return null;
        }

        return artifact;
    }

    private void ReadDependsOn()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var j = 0; j < _step.DependsOn.Count; j++)
        {
            var name = _step.DependsOn[j];
            var path = $"{_path}.depends_on[{j}]";
            if (name == _step.Name)
            {
                Error(path, "a step cannot depend on itself");
            }
            else if (!indexByName.TryGetValue(name, out var dependency))
            {
                Error(path, $"unknown step '{name}'");
            }
            else if (!seen.Add(name))
            {
                Error(path, $"'{name}' is listed twice");
            }
            else
            {
                _dependencies.Add(dependency);
            }
        }
    }

    private PipelineValue Substitute(PipelineValue value, string path, ExpressionScope scope) => value switch
    {
        ScalarValue s => new ScalarValue(Expressions.Substitute(s.Text, scope, message =>
        {
            Error(path, message);
            _unsubstituted.Add(path);
        })),
        ListValue l => new ListValue([.. l.Items.Select((item, i) => Substitute(item, $"{path}[{i}]", scope))]),
        MapValue m => new MapValue([.. m.Entries.Select(e => new KeyValuePair<string, PipelineValue>(e.Key, Substitute(e.Value, $"{path}.{e.Key}", scope)))]),
        _ => value,
    };

    private const string ArtifactNameRule = "a lowercase letter followed by lowercase letters, digits, '_' or '-' (at most 63)";

    [GeneratedRegex(@"^steps\.([^.]+)\.outputs\.([^.]+)$")]
    private static partial Regex StepOutputPattern();
}
