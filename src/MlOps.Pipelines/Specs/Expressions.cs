using System.Text;

namespace MlOps.Pipelines.Specs;

/// <summary>
/// The <c>${...}</c> expressions in inputs and params. <c>${parameters.NAME}</c> is replaced by the parameter's
/// value when the plan is made. <c>${inputs.NAME}</c> and <c>${outputs.NAME}</c> are allowed only in command steps
/// and are kept for the executor, which puts the local paths there. <c>$${</c> is a literal <c>${</c>.
/// </summary>
internal static class Expressions
{
    public static string Substitute(string text, ExpressionScope scope, Action<string> error)
    {
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '$' && i + 2 < text.Length && text[i + 1] == '$' && text[i + 2] == '{')
            {
                result.Append("${");
                i += 3;
                continue;
            }

            if (text[i] != '$' || i + 1 >= text.Length || text[i + 1] != '{')
            {
                result.Append(text[i]);
                i++;
                continue;
            }

            var close = text.IndexOf('}', i + 2);
            if (close < 0)
            {
                error($"unclosed '${{' in '{text}'");
                result.Append(text, i, text.Length - i);
                break;
            }

            var expression = text[(i + 2)..close];
            result.Append(Evaluate(expression, scope, error) ?? text[i..(close + 1)]);
            i = close + 1;
        }

        return result.ToString();
    }

    /// <summary>True when the text holds an expression (so the result differs from the text written).</summary>
    public static bool HasExpression(string text) => text.Contains("${", StringComparison.Ordinal);

    private static string? Evaluate(string expression, ExpressionScope scope, Action<string> error)
    {
        var dot = expression.IndexOf('.', StringComparison.Ordinal);
        var root = dot < 0 ? expression : expression[..dot];
        var name = dot < 0 ? "" : expression[(dot + 1)..];
        switch (root)
        {
            case "parameters" when name.Length > 0:
                if (scope.Parameters.TryGetValue(name, out var value))
                {
                    return value;
                }

                error(scope.Parameters.Count == 0
                    ? $"unknown parameter '{name}': the pipeline declares no parameters"
                    : $"unknown parameter '{name}'; declared: {string.Join(", ", scope.Parameters.Keys.Order(StringComparer.Ordinal))}");
                return null;

            case "inputs" or "outputs" when name.Length > 0:
                var declared = root == "inputs" ? scope.Inputs : scope.Outputs;
                if (declared is null)
                {
                    error($"'${{{expression}}}' is only allowed in the params of command steps");
                    return null;
                }

                if (!declared.Contains(name))
                {
                    error($"'${{{expression}}}': the step declares no {root[..^1]} '{name}'");
                    return null;
                }

                return $"${{{expression}}}";

            default:
                error($"unknown expression '${{{expression}}}'; expected ${{parameters.NAME}}, ${{inputs.NAME}} or ${{outputs.NAME}} (write $${{ for a literal ${{)");
                return null;
        }
    }
}

/// <summary>What an expression may name: the run's parameter values and, for command steps only, the step's
/// declared inputs and outputs.</summary>
internal sealed record ExpressionScope(
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlySet<string>? Inputs = null,
    IReadOnlySet<string>? Outputs = null);
