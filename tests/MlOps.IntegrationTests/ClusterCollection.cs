namespace MlOps.IntegrationTests;

/// <summary>Cluster tests train real models; on 2 cores they run one class at a time so timeouts stay honest.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}
