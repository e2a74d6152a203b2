using System.CommandLine;
using System.CommandLine.Parsing;
using MlOps.Cli.References;
using MlOps.Contracts;

namespace MlOps.Cli.Retraining;

/// <summary>
/// The options of <c>mlops retrain policy set</c> and the <see cref="RetrainingPolicy"/> they make. What is plainly
/// wrong (a share outside 1-99, a negative duration, a rate outside 0-1) is a parse error naming the option, so every
/// such mistake is reported at once and nothing is sent. An option left out is sent as zero or absent, which the
/// coordinator reads as its default (retraining.proto).
/// </summary>
internal sealed class PolicyOptions
{
    public Option<string?> Deployment { get; } = new("--deployment")
    {
        Description = "Deployment serving the model [default: the model's name]",
        HelpName = "NAME",
    };

    public Option<bool> OnDrift { get; } = new("--on-drift") { Description = "Retrain when production's drift verdict is DRIFT" };

    public Option<double?> AccuracyBelow { get; } = new("--accuracy-below")
    {
        Description = "Retrain when production's live accuracy (from feedback labels) falls below this, 0-1",
        HelpName = "X",
    };

    public Option<TimeSpan?> Every { get; } = new("--every")
    {
        Description = "Retrain at least this often, e.g. 1d or 12h",
        HelpName = "DURATION",
        CustomParser = DurationText.Parser(TimeSpan.Zero),
    };

    public Option<bool> OnNewData { get; } = new("--on-new-data") { Description = "Retrain when the training dataset has a newer version" };

    public Option<int?> CanaryPercent { get; } = new("--canary-percent")
    {
        Description = "Share of traffic the candidate gets as a canary, 1-99 [default: 10]",
        HelpName = "N",
    };

    public Option<TimeSpan?> CanaryDuration { get; } = new("--canary-duration")
    {
        Description = "How long the canary serves before the decision, at least 1s [default: 10m]",
        HelpName = "DURATION",
        CustomParser = DurationText.Parser(TimeSpan.FromSeconds(1)),
    };

    public Option<double?> MinImprovement { get; } = new("--min-improvement")
    {
        Description = "Held-out accuracy the candidate must gain over production, 0-1 absolute [default: 0]",
        HelpName = "X",
    };

    public Option<double?> Significance { get; } = new("--significance")
    {
        Description = "Significance level of the paired McNemar test the gain must pass, 0-1 [default: none, the accuracy difference decides]",
        HelpName = "X",
    };

    public Option<TimeSpan?> Cooldown { get; } = new("--cooldown")
    {
        Description = "No trigger starts a run until this long after the previous one ended [default: 1h]",
        HelpName = "DURATION",
        CustomParser = DurationText.Parser(TimeSpan.Zero),
    };

    public Option<double?> MaxCanaryAccuracyDrop { get; } = new("--max-canary-accuracy-drop")
    {
        Description = "Roll the canary back when its live accuracy is this much below production's, 0-1 [default: 0.02]",
        HelpName = "X",
    };

    public Option<string?> Alias { get; } = new("--alias")
    {
        Description = "Alias moved to the promoted version [default: production]",
        HelpName = "NAME",
    };

    public Option<bool> Paused { get; } = new("--paused") { Description = "Store the policy with its triggers off (manual runs still run)" };

    public Option<int?> Epochs { get; } = new("--epochs") { Description = "Epochs for the retraining job [default: production's]", HelpName = "N" };

    public Option<double?> LearningRate { get; } = new("--learning-rate")
    {
        Description = "Learning rate for the retraining job [default: production's]",
        HelpName = "X",
    };

    public Option<int?> BatchSize { get; } = new("--batch-size") { Description = "Batch size for the retraining job [default: production's]", HelpName = "N" };

    public PolicyOptions()
    {
        Validate(Deployment, value => Check(() => RegistryReference.Name(value, "deployment")));
        Validate(Alias, value => Check(() => RegistryReference.Alias(value)));
        Validate(AccuracyBelow, value => Fraction(value, "between 0 and 1"));
        Validate(MinImprovement, value => Fraction(value, "between 0 and 1"));
        Validate(MaxCanaryAccuracyDrop, value => Fraction(value, "between 0 and 1"));
        Validate(Significance, value => value is >= 0 and < 1 ? null : "must be at least 0 and below 1, e.g. 0.05");
        Validate(CanaryPercent, value => value is >= 1 and <= 99 ? null : "must be between 1 and 99");
        Validate(Epochs, value => value >= 1 ? null : "must be at least 1");
        Validate(BatchSize, value => value >= 1 ? null : "must be at least 1");
        Validate(LearningRate, value => value > 0 && double.IsFinite(value) ? null : "must be greater than 0");
    }

    public IEnumerable<Option> All =>
    [
        Deployment, OnDrift, AccuracyBelow, Every, OnNewData, CanaryPercent, CanaryDuration, MinImprovement, Significance,
        Cooldown, MaxCanaryAccuracyDrop, Alias, Paused, Epochs, LearningRate, BatchSize,
    ];

    /// <summary>The whole policy for <paramref name="model"/> as the options give it (a parse without errors).</summary>
    public RetrainingPolicy ToPolicy(ParseResult parseResult, string model)
    {
        var policy = new RetrainingPolicy
        {
            Model = model,
            Deployment = parseResult.GetValue(Deployment) ?? "",
            Triggers = new RetrainingTriggers
            {
                OnDrift = parseResult.GetValue(OnDrift),
                AccuracyBelow = parseResult.GetValue(AccuracyBelow) ?? 0,
                Every = ToDuration(parseResult.GetValue(Every)),
                OnNewDatasetVersion = parseResult.GetValue(OnNewData),
            },
            CanaryPercent = parseResult.GetValue(CanaryPercent) ?? 0,
            CanaryDuration = ToDuration(parseResult.GetValue(CanaryDuration)),
            MinImprovement = parseResult.GetValue(MinImprovement) ?? 0,
            Significance = parseResult.GetValue(Significance) ?? 0,
            Cooldown = ToDuration(parseResult.GetValue(Cooldown)),
            MaxCanaryAccuracyDrop = parseResult.GetValue(MaxCanaryAccuracyDrop) ?? 0,
            PromoteAlias = parseResult.GetValue(Alias) ?? "",
            Paused = parseResult.GetValue(Paused),
        };
        var epochs = parseResult.GetValue(Epochs);
        var learningRate = parseResult.GetValue(LearningRate);
        var batchSize = parseResult.GetValue(BatchSize);
        if (epochs is not null || learningRate is not null || batchSize is not null)
        {
            // Only the fields set here replace production's; zero means "production's" to the coordinator.
            policy.HyperParameters = new HyperParameters { Epochs = epochs ?? 0, LearningRate = learningRate ?? 0, BatchSize = batchSize ?? 0 };
        }

        return policy;
    }

    private static Google.Protobuf.WellKnownTypes.Duration? ToDuration(TimeSpan? value) =>
        value is { } given ? Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(given) : null;

    private static string? Fraction(double value, string rule) => value is >= 0 and <= 1 ? null : "must be " + rule;

    private static string? Check(Action validate)
    {
        try
        {
            validate();
            return null;
        }
        catch (CliException ex)
        {
            return ex.Message;
        }
    }

    private static void Validate<T>(Option<T?> option, Func<T, string?> problem)
        where T : struct =>
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<T?>() is { } value && problem(value) is { } message)
            {
                result.AddError($"invalid {option.Name} {Token(result)}: {message}");
            }
        });

    private static void Validate(Option<string?> option, Func<string, string?> problem) =>
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } value && problem(value) is { } message)
            {
                // The reference checks already name the value ("invalid alias 'x': ...").
                result.AddError($"{option.Name}: {message}");
            }
        });

    private static string Token(OptionResult result) => result.Tokens.Count > 0 ? $"'{result.Tokens[^1].Value}'" : "";
}
