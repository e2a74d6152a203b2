using System.Diagnostics.CodeAnalysis;
using MlOps.Core.Jobs;
using MlOps.Pipelines.Specs;

namespace MlOps.Pipelines.Planning;

/// <summary>
/// Turns a spec and a run's parameter overrides into a <see cref="PipelinePlan"/>. Pure: no I/O, no clock. The
/// spec is checked again with the overrides substituted (an override can make a param invalid), and every
/// problem is reported at once.
/// </summary>
public static class PipelinePlanner
{
    /// <summary>Plans the pipeline or throws <see cref="PipelineSpecException"/> with every problem.</summary>
    public static PipelinePlan Plan(PipelineSpec spec, IReadOnlyDictionary<string, string>? parameterOverrides = null) =>
        TryPlan(spec, parameterOverrides, out var plan, out var errors) ? plan : throw new PipelineSpecException(errors);

    public static bool TryPlan(
        PipelineSpec spec,
        IReadOnlyDictionary<string, string>? parameterOverrides,
        [NotNullWhen(true)] out PipelinePlan? plan,
        out IReadOnlyList<FieldError> errors)
    {
        var found = new List<FieldError>();
        plan = PlanBuilder.Build(spec, parameterOverrides, found);
        errors = found;
        return plan is not null;
    }
}
