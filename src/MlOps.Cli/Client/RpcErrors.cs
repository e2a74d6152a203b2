using Grpc.Core;
using MlOps.Contracts;

namespace MlOps.Cli.Client;

/// <summary>Maps a failed gRPC call to the message and exit code the user sees (see <see cref="ExitCodes"/>).</summary>
public static class RpcErrors
{
    public static int ExitCodeFor(StatusCode status) => status switch
    {
        StatusCode.OK => ExitCodes.Ok,
        StatusCode.InvalidArgument => ExitCodes.Usage,
        StatusCode.NotFound => ExitCodes.NotFound,
        StatusCode.Unavailable or StatusCode.DeadlineExceeded => ExitCodes.Unreachable,
        _ => ExitCodes.Error,
    };

    /// <summary>The server's detail text, with context where the code alone would puzzle the user.</summary>
    public static CliException ToCliException(RpcException ex, string address)
    {
        var detail = string.IsNullOrWhiteSpace(ex.Status.Detail) ? StatusName(ex.StatusCode) : ex.Status.Detail;
        if (ex.StatusCode is StatusCode.Unavailable && ex.Status.DebugException?.GetBaseException().Message is { Length: > 0 } cause &&
            !detail.Contains(cause, StringComparison.Ordinal))
        {
            // The client-side cause ("Connection refused", "Name or service not known") says more than the status.
            detail = $"{detail.TrimEnd('.')}: {cause}";
        }

        if (IsTlsFailure(ex.Status.DebugException))
        {
            // Grpc.Net.Client reports a failed handshake as INTERNAL; for the user the coordinator was not reachable.
            return new CliException(ExitCodes.Unreachable,
                $"the TLS handshake with the coordinator at {address} failed: {detail} (trust the cluster CA with --ca FILE or MLOPS_CA; docs/security.md)", ex)
            { Status = ex.StatusCode };
        }

        var message = ex.StatusCode switch
        {
            StatusCode.Unavailable => $"cannot reach the coordinator at {address}: {detail} (is it running? 'mlops up' starts one on this machine)",
            StatusCode.DeadlineExceeded => $"the coordinator at {address} did not answer in time: {detail}",
            StatusCode.InvalidArgument or StatusCode.NotFound => detail,
            _ => $"{detail} ({StatusName(ex.StatusCode)})",
        };
        return new CliException(ExitCodeFor(ex.StatusCode), message, ex) { Status = ex.StatusCode };
    }

    /// <summary>True when the call failed in the TLS handshake (an untrusted or misnamed coordinator certificate, a
    /// client certificate the coordinator refused).</summary>
    private static bool IsTlsFailure(Exception? error)
    {
        for (var inner = error; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Security.Authentication.AuthenticationException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The canonical upper-snake name, e.g. FAILED_PRECONDITION, as the gRPC docs write it.</summary>
    public static string StatusName(StatusCode status) => GrpcStatusNames.Of(status);
}
