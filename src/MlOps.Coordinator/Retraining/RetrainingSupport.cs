using MlOps.Contracts;
using MlOps.Coordinator.Scheduling;

namespace MlOps.Coordinator.Retraining;

/// <summary>Asks the retraining controller for a pass (a policy was set).</summary>
internal sealed class RetrainingSignal : CoalescingSignal;

internal enum RetrainingError
{
    InvalidArgument,
    NotFound,
    FailedPrecondition,
}

/// <summary>A refused retraining request, with the field it is about; the gRPC service maps the kind to a status.</summary>
internal sealed class RetrainingException(RetrainingError kind, string field, string message) : Exception(message)
{
    public RetrainingError Kind { get; } = kind;

    public string Field { get; } = field;
}

/// <summary>Why a run cannot start: no deployment, no production version, no training job on record.</summary>
internal sealed class RetrainingStartException(string message) : Exception(message);

/// <summary>Names of run states as the CLI and messages print them.</summary>
internal static class RetrainingText
{
    public static string State(RetrainingRunState state) => state switch
    {
        RetrainingRunState.Training => "TRAINING",
        RetrainingRunState.Canary => "CANARY",
        RetrainingRunState.Promoted => "PROMOTED",
        RetrainingRunState.Rejected => "REJECTED",
        RetrainingRunState.RolledBack => "ROLLED_BACK",
        RetrainingRunState.Failed => "FAILED",
        _ => "UNSPECIFIED",
    };
}

/// <summary>Retraining controller settings, bound from <c>Retraining</c>.</summary>
public sealed class RetrainingOptions
{
    public const string SectionName = "Retraining";

    /// <summary>How often policies are checked and runs advanced. 100 ms - 10 min; default 5 s.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A canary not serving on every replica this long after it was deployed is rolled back. Default 10 min.</summary>
    public TimeSpan RolloutTimeout { get; set; } = TimeSpan.FromMinutes(10);
}

internal sealed class RetrainingOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<RetrainingOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, RetrainingOptions options)
    {
        var errors = new List<string>();
        if (options.Interval < TimeSpan.FromMilliseconds(100) || options.Interval > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{RetrainingOptions.SectionName}:Interval must be between 100 ms and 10 minutes, got {options.Interval}");
        }

        if (options.RolloutTimeout < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{RetrainingOptions.SectionName}:RolloutTimeout must be at least 1 second, got {options.RolloutTimeout}");
        }

        return errors.Count == 0
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Success
            : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(errors);
    }
}
