using MlOps.Contracts;

namespace MlOps.Agent.Discovery;

/// <summary>A model version this node serves and advertises: READY in its model repository and not draining.</summary>
internal readonly record struct ReadyVersion(string Model, string Version);

/// <summary>What discovery needs to know of the node's serving side (implemented by
/// <see cref="Serving.ServingReconciler"/>).</summary>
internal interface IServingView
{
    /// <summary>The node's inference endpoints as clients dial them; null while serving is off.</summary>
    ServingAddresses? Addresses { get; }

    /// <summary>Every version of every model that is READY in the repository and not draining, whoever loaded it.</summary>
    IReadOnlyList<ReadyVersion> ReadyVersions();

    /// <summary>Raised (possibly under the reconciler's lock: handlers must only signal) whenever the node's serving
    /// status changes: a version became READY, failed, started draining or was unloaded.</summary>
    event EventHandler? Changed;
}
