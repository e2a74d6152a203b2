using MlOps.Client.Inference;

namespace MlOps.Cli.Client;

public sealed partial class MlOpsClient
{
    /// <summary>
    /// What the CLI shows the replicas of a deployment (agents with <c>Agent:Serving:Auth</c>,
    /// docs/security.md ("Inference endpoint authentication")): the same API token, cluster CA and client certificate it uses with the coordinator,
    /// since the coordinator tells the agents which tokens are valid and every cluster certificate chains to one CA.
    /// The certificates stay owned by this client; the inference client must not outlive it.
    /// </summary>
    internal InferenceEndpointSecurity InferenceSecurity()
    {
        const string bearer = "Bearer ";
        var header = _headers.GetValue(AuthorizationHeader);
        return new InferenceEndpointSecurity
        {
            BearerToken = header is not null && header.StartsWith(bearer, StringComparison.Ordinal) ? header[bearer.Length..] : null,
            Authority = _authority,
            ClientCertificate = _certificate,
        };
    }
}
