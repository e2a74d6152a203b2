using Grpc.Core;
using MlOps.Artifacts;

namespace MlOps.Cli.Client;

/// <summary>
/// Maps the artifact store's exceptions to the message and exit code the user sees. When the store's error came
/// from a coordinator call, the gRPC status decides (as for every other call); otherwise the type does.
/// </summary>
public static class ArtifactErrors
{
    public static CliException ToCliException(Exception ex, string address)
    {
        if (ex.InnerException is RpcException rpc)
        {
            return RpcErrors.ToCliException(rpc, address);
        }

        return ex switch
        {
            ArtifactNotFoundException => new CliException(ExitCodes.NotFound, ex.Message, ex),
            ArtifactStoreUnavailableException => new CliException(ExitCodes.Unreachable, $"cannot reach the artifact store: {ex.Message}", ex),
            ArtifactCorruptException => new CliException(ExitCodes.Error, $"corrupt artifact: {ex.Message}", ex),
            ArtifactAuthenticationException => new CliException(ExitCodes.Error, $"the artifact store refused access: {ex.Message}", ex),
            _ => new CliException(ExitCodes.Error, ex.Message, ex),
        };
    }
}
