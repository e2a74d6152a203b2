using Microsoft.Extensions.Options;
using MlOps.Coordinator.Scheduling;

namespace MlOps.Coordinator.Configuration;

/// <summary>How jobs are placed, bound from the <c>Scheduling</c> section and checked at start-up.</summary>
public sealed class SchedulingOptions
{
    public const string SectionName = "Scheduling";

    /// <summary><c>fair-share</c> (default, <c>fair-share/v2</c>: teams, quotas, GPU constraints, aging, holds for large
    /// jobs, opt-in preemption) or
    /// <c>best-fit</c> (priority and FIFO only).</summary>
    public string Policy { get; set; } = "fair-share";

    /// <summary>GPUs each team may hold at once (<c>Scheduling:TeamGpuQuotas:vision=16</c>); teams not listed have no
    /// limit.</summary>
    public Dictionary<string, int> TeamGpuQuotas { get; set; } = new(StringComparer.Ordinal);

    /// <summary>A waiting job gains one priority level per interval. Default 10 min.</summary>
    public TimeSpan AgingInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Most priority levels a job gains by waiting. Default 100.</summary>
    public int MaxAgingBoost { get; set; } = 100;

    /// <summary>Spread jobs over agents instead of packing them. Default false (bin packing keeps large holes).</summary>
    public bool Spread { get; set; }

    /// <summary>Let a waiting job have running jobs of lower priority stopped for it (fair-share only;
    /// <c>Scheduling:Preemption=true</c>). Default false.</summary>
    public bool Preemption { get; set; }

    /// <summary>A job that has run less than this is not preempted. Default 2 min.</summary>
    public TimeSpan MinRunTimeBeforePreemption { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Most running jobs one scheduling pass may preempt. Default 16.</summary>
    public int MaxPreemptionsPerPass { get; set; } = 16;

    public IPlacementPolicy CreatePolicy() => Policy switch
    {
        "best-fit" => new IndexedBestFitPlacementPolicy(),
        _ => new FairSharePlacementPolicy(),
    };

    public FairShareSettings FairShare() => new()
    {
        TeamGpuQuotas = new Dictionary<string, int>(TeamGpuQuotas, StringComparer.Ordinal),
        AgingInterval = AgingInterval,
        MaxAgingBoost = MaxAgingBoost,
        Spread = Spread,
        Preemption = Preemption,
        MinRunTimeBeforePreemption = MinRunTimeBeforePreemption,
        MaxPreemptionsPerPass = MaxPreemptionsPerPass,
    };
}

/// <summary>Reports every bad scheduling setting at once.</summary>
internal sealed class SchedulingOptionsValidator : IValidateOptions<SchedulingOptions>
{
    public ValidateOptionsResult Validate(string? name, SchedulingOptions options)
    {
        var errors = new List<string>();
        if (options.Policy is not ("fair-share" or "best-fit"))
        {
            errors.Add($"Scheduling:Policy must be fair-share or best-fit, got '{options.Policy}'");
        }

        foreach (var (team, quota) in options.TeamGpuQuotas.Where(q => q.Value < 0))
        {
            errors.Add($"Scheduling:TeamGpuQuotas:{team} must be zero or more GPUs, got {quota}");
        }

        if (options.AgingInterval < TimeSpan.Zero)
        {
            errors.Add("Scheduling:AgingInterval must not be negative (zero turns aging off)");
        }

        if (options.MaxAgingBoost is < 0 or > 10_000)
        {
            errors.Add($"Scheduling:MaxAgingBoost must be between 0 and 10000, got {options.MaxAgingBoost}");
        }

        if (options.Preemption && options.Policy != "fair-share")
        {
            errors.Add($"Scheduling:Preemption needs Scheduling:Policy fair-share ('{options.Policy}' does not preempt)");
        }

        if (options.MinRunTimeBeforePreemption < TimeSpan.Zero)
        {
            errors.Add($"Scheduling:MinRunTimeBeforePreemption must not be negative, got {options.MinRunTimeBeforePreemption}");
        }

        if (options.MaxPreemptionsPerPass is < 1 or > 1_000)
        {
            errors.Add($"Scheduling:MaxPreemptionsPerPass must be between 1 and 1000, got {options.MaxPreemptionsPerPass}");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
