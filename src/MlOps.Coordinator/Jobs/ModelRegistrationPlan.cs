using MlOps.Contracts;

namespace MlOps.Coordinator.Jobs;

/// <summary>
/// What to do with a succeeded job's model artifact, decided before the job's transition runs (reading the
/// artifact is I/O, the transition is pure): register <see cref="Draft"/>, or record <see cref="Failure"/>.
/// </summary>
internal sealed record ModelRegistrationPlan(ModelVersion? Draft, string? Failure)
{
    public static ModelRegistrationPlan Register(ModelVersion draft) => new(draft, null);

    public static ModelRegistrationPlan Failed(string reason) => new(null, reason);
}
