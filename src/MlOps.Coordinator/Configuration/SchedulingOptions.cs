using Microsoft.Extensions.Options;
using MlOps.Coordinator.Scheduling;

namespace MlOps.Coordinator.Configuration;

/// <summary>How jobs are placed, bound from the <c>Scheduling</c> section and checked at start-up.</summary>
public sealed class SchedulingOptions
{
    public const string SectionName = "Scheduling";

    /// <summary><c>fair-share</c> (default: teams, quotas, GPU constraints, aging, holds for large jobs) or
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

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
