using System.Globalization;
using MlOps.Core.Datasets;

namespace MlOps.Core.Jobs;

/// <summary>What <see cref="BuiltinSteps.ReadPrepare"/> makes of a <c>prepare</c> step's params: the shift and which
/// share of each split it applies to (the defaults shift every image, as <c>mlops data derive</c> does).</summary>
public sealed record PrepareSettings(DatasetShift Shift, double TrainFraction = 1, double TestFraction = 1, bool Append = false, int Seed = 1);

/// <summary>What <see cref="BuiltinSteps.ReadEvaluate"/> makes of an <c>evaluate</c> step's params.</summary>
/// <param name="MinAccuracy">The step fails when the model's test accuracy is below this; null: never.</param>
public sealed record EvaluateSettings(double? MinAccuracy);

/// <summary>
/// The agent's built-in steps a command job can run instead of a program (<c>command.builtin</c>), with the inputs and
/// outputs each one needs and the params it takes. Shared by the validator (at submit) and the agent's step child (at run
/// time), so both read the params the same way.
/// </summary>
public static class BuiltinSteps
{
    /// <summary>Input <c>data</c> (a dataset) → <see cref="DatasetShift"/> → output <c>dataset</c>.</summary>
    public const string Prepare = "prepare";

    /// <summary>Input <c>model</c> run on input <c>data</c>'s test split → accuracy and loss (and <c>metrics/metrics.json</c>
    /// when a <c>metrics</c> output is declared).</summary>
    public const string Evaluate = "evaluate";

    public const string DataInput = "data";
    public const string ModelInput = "model";
    public const string DatasetOutput = "dataset";
    public const string MetricsOutput = "metrics";

    public static readonly IReadOnlyList<string> Names = [Prepare, Evaluate];

    private static readonly string[] PrepareParams = ["brightness", "contrast", "invert", "train_fraction", "test_fraction", "append", "seed"];
    private static readonly string[] EvaluateParams = ["min_accuracy"];

    /// <summary>The inputs (name → kind) a built-in step needs; null for an unknown step.</summary>
    public static IReadOnlyDictionary<string, string>? RequiredInputs(string builtin) => builtin switch
    {
        Prepare => new Dictionary<string, string>(StringComparer.Ordinal) { [DataInput] = "dataset" },
        Evaluate => new Dictionary<string, string>(StringComparer.Ordinal) { [ModelInput] = "model", [DataInput] = "dataset" },
        _ => null,
    };

    /// <summary>The outputs a built-in step must declare (evaluate's <c>metrics</c> is optional).</summary>
    public static IReadOnlyList<string> RequiredOutputs(string builtin) => builtin == Prepare ? [DatasetOutput] : [];

    /// <summary>Reads a <c>prepare</c> step's params; every problem goes to <paramref name="errors"/> under
    /// <paramref name="path"/><c>.KEY</c>.</summary>
    public static PrepareSettings ReadPrepare(IReadOnlyDictionary<string, string> parameters, List<FieldError> errors, string path = "command.params")
    {
        var reader = new ParamReader(parameters, errors, path, PrepareParams, Prepare);
        var shift = new DatasetShift(reader.Number("brightness", 0), reader.Number("contrast", 1), reader.Boolean("invert"));
        if (shift.Problem() is { } problem)
        {
            var field = problem.StartsWith("brightness", StringComparison.Ordinal) ? "brightness" : "contrast";
            errors.Add(new FieldError($"{path}.{field}", problem));
        }

        var train = reader.Fraction("train_fraction");
        var test = reader.Fraction("test_fraction");
        var seed = reader.Number("seed", 1);
        if (seed is < 0 or > int.MaxValue || seed != Math.Floor(seed))
        {
            errors.Add(new FieldError($"{path}.seed", $"must be a whole number between 0 and {int.MaxValue}, got {Format(seed)}"));
            seed = 1;
        }

        return new PrepareSettings(shift, train, test, reader.Boolean("append"), (int)seed);
    }

    /// <summary>Reads an <c>evaluate</c> step's params (see <see cref="ReadPrepare"/>).</summary>
    public static EvaluateSettings ReadEvaluate(IReadOnlyDictionary<string, string> parameters, List<FieldError> errors, string path = "command.params")
    {
        var reader = new ParamReader(parameters, errors, path, EvaluateParams, Evaluate);
        double? min = parameters.ContainsKey("min_accuracy") ? reader.Fraction("min_accuracy") : null;
        return new EvaluateSettings(min);
    }

    /// <summary>Checks the params of <paramref name="builtin"/> (nothing for an unknown step: that is reported elsewhere).</summary>
    public static void CheckParams(string builtin, IReadOnlyDictionary<string, string> parameters, List<FieldError> errors, string path = "command.params")
    {
        switch (builtin)
        {
            case Prepare:
                ReadPrepare(parameters, errors, path);
                break;
            case Evaluate:
                ReadEvaluate(parameters, errors, path);
                break;
        }
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Params are text (a protobuf map of strings); each known key is parsed once, unknown keys are errors.</summary>
    private sealed class ParamReader
    {
        private readonly IReadOnlyDictionary<string, string> _parameters;
        private readonly List<FieldError> _errors;
        private readonly string _path;

        public ParamReader(IReadOnlyDictionary<string, string> parameters, List<FieldError> errors, string path, string[] known, string step)
        {
            _parameters = parameters;
            _errors = errors;
            _path = path;
            foreach (var key in parameters.Keys.Where(k => !known.Contains(k, StringComparer.Ordinal)).Order(StringComparer.Ordinal))
            {
                errors.Add(new FieldError($"{path}.{key}", $"unknown param '{key}' for the {step} step; expected one of: {string.Join(", ", known)}"));
            }
        }

        public double Number(string key, double fallback)
        {
            if (!_parameters.TryGetValue(key, out var text))
            {
                return fallback;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
            {
                return value;
            }

            _errors.Add(new FieldError($"{_path}.{key}", $"must be a number, got '{text}'"));
            return fallback;
        }

        public double Fraction(string key)
        {
            var value = Number(key, 1);
            if (value is >= 0 and <= 1)
            {
                return value;
            }

            _errors.Add(new FieldError($"{_path}.{key}", $"must be between 0 and 1, got {Format(value)}"));
            return 1;
        }

        public bool Boolean(string key)
        {
            if (!_parameters.TryGetValue(key, out var text))
            {
                return false;
            }

            if (bool.TryParse(text, out var value))
            {
                return value;
            }

            _errors.Add(new FieldError($"{_path}.{key}", $"must be true or false, got '{text}'"));
            return false;
        }
    }
}
