using Google.Protobuf.WellKnownTypes;
using MlOps.Contracts;
using MlOps.Pipelines.Planning;
using MlOps.Pipelines.Running;
using MlOps.Pipelines.Specs;
using RecordRunState = MlOps.Pipelines.Running.PipelineRunState;
using RunState = MlOps.Contracts.PipelineRunState;

namespace MlOps.Coordinator.Pipelines;

/// <summary>The runner's records (<see cref="PipelineRunRecord"/>, <see cref="StepRunRecord"/>) as contract messages.</summary>
internal static class PipelineRunMapping
{
    /// <summary>A new run as first stored: every step PENDING, in plan order.</summary>
    public static PipelineRun NewRun(string id, PipelinePlan plan, string yaml, string owner, bool noCache, DateTimeOffset now)
    {
        var run = new PipelineRun
        {
            Id = id,
            Pipeline = plan.Name,
            State = RunState.Running,
            Owner = owner,
            CreatedAt = Timestamp.FromDateTimeOffset(now),
            Yaml = yaml,
            NoCache = noCache,
        };
        run.Parameters.Add(plan.Parameters.ToDictionary(StringComparer.Ordinal));
        run.Steps.AddRange(plan.Steps.Select(s => new PipelineStepRun { Name = s.Name, Kind = s.Kind.ToName(), State = PipelineStepState.Pending }));
        return run;
    }

    /// <summary><paramref name="header"/> (id, owner, YAML, ...) with the state and steps of <paramref name="record"/>;
    /// <paramref name="jobIdOf"/> gives the job a step ran, if any.</summary>
    public static PipelineRun Apply(PipelineRun header, PipelineRunRecord record, Func<string, string?> jobIdOf)
    {
        var run = header.Clone();
        run.State = State(record.State);
        run.Error = record.Error ?? "";
        run.FinishedAt = record.FinishedAt is { } finished ? Timestamp.FromDateTimeOffset(finished) : null;
        run.Steps.Clear();
        foreach (var step in record.Steps)
        {
            var message = new PipelineStepRun
            {
                Name = step.Name,
                Kind = step.Kind.ToName(),
                State = State(step.State),
                CacheKey = step.CacheKey ?? "",
                StartedAt = step.StartedAt is { } started ? Timestamp.FromDateTimeOffset(started) : null,
                FinishedAt = step.FinishedAt is { } stepFinished ? Timestamp.FromDateTimeOffset(stepFinished) : null,
                Error = step.Error ?? "",
                Reason = step.Reason ?? "",
                Warning = step.Warning ?? "",
                JobId = step.State == StepRunState.Cached ? "" : jobIdOf(step.Name) ?? "",
            };
            message.Inputs.AddRange(Artifacts(step.Inputs));
            message.Outputs.AddRange(Artifacts(step.Outputs));
            run.Steps.Add(message);
        }

        return run;
    }

    /// <summary>By name, ordinal, so a record reads the same every time.</summary>
    public static IEnumerable<PipelineArtifact> Artifacts(IReadOnlyDictionary<string, ResolvedArtifact> artifacts) =>
        artifacts.OrderBy(a => a.Key, StringComparer.Ordinal)
            .Select(a => new PipelineArtifact { Name = a.Key, Reference = a.Value.Reference, Digest = a.Value.Digest });

    public static RunState State(RecordRunState state) => state switch
    {
        RecordRunState.Running => RunState.Running,
        RecordRunState.Succeeded => RunState.Succeeded,
        RecordRunState.Failed => RunState.Failed,
        RecordRunState.Cancelled => RunState.Cancelled,
        _ => RunState.Unspecified,
    };

    public static PipelineStepState State(StepRunState state) => state switch
    {
        StepRunState.Pending => PipelineStepState.Pending,
        StepRunState.Running => PipelineStepState.Running,
        StepRunState.Succeeded => PipelineStepState.Succeeded,
        StepRunState.Cached => PipelineStepState.Cached,
        StepRunState.Failed => PipelineStepState.Failed,
        StepRunState.Skipped => PipelineStepState.Skipped,
        StepRunState.Cancelled => PipelineStepState.Cancelled,
        _ => PipelineStepState.Unspecified,
    };
}
