using MlOps.Contracts;
using MlOps.Core.Jobs;
using MlOps.Pipelines.Specs;

namespace MlOps.Pipelines.Planning;

/// <summary>The job spec of a planned train step: its <c>params.job</c> read with the job spec reader, the way the
/// planner already checked it, so an executor submits exactly what was validated.</summary>
public static class TrainStepJob
{
    /// <summary>
    /// Reads <c>params.job</c> of <paramref name="step"/> (a train step) into a <see cref="JobSpec"/> without a
    /// dataset; a job without a name gets the step's name. Throws <see cref="SpecValidationException"/> when the job
    /// does not read (a plan's jobs always do) and <see cref="ArgumentException"/> for another kind of step.
    /// </summary>
    public static JobSpec Read(PlannedStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.Kind != StepKind.Train)
        {
            throw new ArgumentException($"step '{step.Name}' is {StepParamSchemas.Describe(step.Kind)}, not a train step", nameof(step));
        }

        if (step.Params["job"] is not MapValue job)
        {
            throw new ArgumentException($"step '{step.Name}' has no job mapping in its params", nameof(step));
        }

        var spec = JobSpecYaml.Parse(PipelineYaml.Emit(PipelineYamlWriter.Value(job)));
        if (spec.Name.Length == 0)
        {
            spec.Name = step.Name;
        }

        return spec;
    }
}
