namespace MlOps.Client.Inference;

/// <summary>Settings of <see cref="InferenceClient"/>; the defaults suit a client on the cluster's network.</summary>
public sealed class InferenceClientOptions
{
    /// <summary>Where ready replicas come from. Default (null): the coordinator the client was created with
    /// (<see cref="CoordinatorReplicaSource"/>); <see cref="ConsulReplicaSource"/> reads them from Consul instead.</summary>
    public IReplicaSource? ReplicaSource { get; set; }

    /// <summary>How long a list of ready replicas is used before asking the <see cref="ReplicaSource"/> again. Default 2 s.</summary>
    public TimeSpan ReplicaRefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Tries per request across replicas (UNAVAILABLE moves to the next replica). Default 4.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Largest response accepted from a replica. Default 64 MiB (real batches of images fit).</summary>
    public int MaxReceiveMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Largest request sent to a replica. Default 64 MiB; the server's own limit applies too.</summary>
    public int MaxSendMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>The token, CA and client certificate for replicas that authenticate callers (agents with
    /// <c>Agent:Serving:Auth</c>). Default <see cref="InferenceEndpointSecurity.None"/>.</summary>
    public InferenceEndpointSecurity Security { get; set; } = InferenceEndpointSecurity.None;
}
