using Microsoft.Extensions.Options;
using MlOps.Pipelines.Running;

namespace MlOps.Coordinator.Pipelines;

/// <summary>Pipeline runs (docs/pipelines.md), bound from <c>Pipelines</c> and validated at start.</summary>
public sealed class PipelineOptions
{
    public const string SectionName = "Pipelines";

    /// <summary>Most steps of one run in flight at once. 1 - 256; default 4.</summary>
    public int MaxParallelism { get; set; } = 4;

    /// <summary>
    /// Directories on the coordinator's host that ingest steps may read (<c>params.source</c> must lie under one).
    /// Absolute paths of existing directories. Default: none, and ingest steps are refused, since a pipeline author
    /// would otherwise read any file the coordinator can.
    /// </summary>
    public List<string> IngestRoots { get; set; } = [];

    /// <summary>How often a train step looks at its job and a deploy step at its rollout. 10 ms - 1 min; default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A deploy step whose revision is not AVAILABLE this long after the deploy fails. At least 1 s; default 10 min.</summary>
    public TimeSpan DeployTimeout { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>Every problem with <see cref="PipelineOptions"/> at once.</summary>
internal sealed class PipelineOptionsValidator : IValidateOptions<PipelineOptions>
{
    public ValidateOptionsResult Validate(string? name, PipelineOptions options)
    {
        var section = PipelineOptions.SectionName;
        var errors = new List<string>();
        if (options.MaxParallelism is < 1 or > PipelineRunnerOptions.MaxParallelismLimit)
        {
            errors.Add($"{section}:MaxParallelism must be from 1 to {PipelineRunnerOptions.MaxParallelismLimit}, got {options.MaxParallelism}");
        }

        for (var i = 0; i < options.IngestRoots.Count; i++)
        {
            var root = options.IngestRoots[i];
            if (string.IsNullOrWhiteSpace(root) || !Path.IsPathFullyQualified(root))
            {
                errors.Add($"{section}:IngestRoots:{i} must be an absolute directory path, got '{root}'");
            }
            else if (!Directory.Exists(root))
            {
                errors.Add($"{section}:IngestRoots:{i} ('{root}') is not an existing directory");
            }
        }

        if (options.PollInterval < TimeSpan.FromMilliseconds(10) || options.PollInterval > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{section}:PollInterval must be between 10 ms and 1 minute, got {options.PollInterval}");
        }

        if (options.DeployTimeout < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{section}:DeployTimeout must be at least 1 second, got {options.DeployTimeout}");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
