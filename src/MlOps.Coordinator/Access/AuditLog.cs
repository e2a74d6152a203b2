using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MlOps.Contracts;
using MlOps.Contracts.Access;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Access;

/// <summary>
/// Writes one <see cref="AuditRecord"/> per audited call into the store, after the call ends, so the record carries
/// its outcome. A record that cannot be written is logged as an error; the call's own answer stands (what it changed
/// is already done).
/// </summary>
public sealed class AuditLog(IAccessStore store, TimeProvider time, ILogger<AuditLog> logger)
{
    /// <summary>The outcome of the record written when a long-lived stream opens (its end gets its own record).</summary>
    public const string Opened = "OPENED";

    /// <summary>Records a call: <paramref name="error"/> null for success, else what it failed with; or, with
    /// <paramref name="progress"/>, a stage of a call still under way (<see cref="Opened"/>).</summary>
    public async Task RecordAsync(
        Caller caller, ServerCallContext context, long startedAt, DateTimeOffset startedUtc,
        IMessage? request, IMessage? response, Exception? error, string? progress = null)
    {
        var (outcome, detail) = error switch
        {
            null => (progress ?? "OK", ""),
            RpcException rpc => (GrpcStatusNames.Of(rpc.StatusCode), rpc.Status.Detail),
            OperationCanceledException => (GrpcStatusNames.Of(StatusCode.Cancelled), "the call was cancelled"),
            _ => (GrpcStatusNames.Of(StatusCode.Unknown), error.GetType().Name),
        };
        var record = new AuditRecord
        {
            At = Timestamp.FromDateTimeOffset(startedUtc),
            Principal = caller.Principal,
            Role = caller.Role.Name(),
            AuthenticatedBy = caller.AuthenticatedBy,
            Method = context.Method,
            Target = AuditTargets.Describe(request, response),
            Outcome = outcome,
            Detail = detail.Length <= 500 ? detail : detail[..499] + "…",
            Peer = context.Peer ?? "",
            Duration = Duration.FromTimeSpan(time.GetElapsedTime(startedAt)),
        };
        try
        {
            await store.AppendAuditAsync(record, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            AccessLog.AuditWriteFailed(logger, ex, context.Method, caller.Principal);
        }
    }
}
