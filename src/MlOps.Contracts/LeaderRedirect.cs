namespace MlOps.Contracts;

/// <summary>
/// How a follower coordinator refuses a call: status UNAVAILABLE with the leader's address in the trailer
/// <see cref="TrailerKey"/> (absent while no leader is known). Clients call the leader instead.
/// </summary>
public static class LeaderRedirect
{
    /// <summary>gRPC metadata key of the leader's address (<c>http://HOST:PORT</c>).</summary>
    public const string TrailerKey = "mlops-leader";
}
