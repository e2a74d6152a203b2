using Grpc.Core;
using MlOps.Contracts.Access;

namespace MlOps.Coordinator.Access;

/// <summary>
/// Who makes a call, as <see cref="AccessInterceptor"/> recognised it: the principal (a token's name, an agent's
/// certificate common name, or the <c>x-mlops-user</c> header when authentication is off), its role and how it was
/// recognised (<c>token tok_...</c>, <c>certificate CN=...</c>, <c>none</c>).
/// </summary>
public sealed record Caller(string Principal, AccessRole Role, string AuthenticatedBy)
{
    private const string Key = "mlops.caller";

    /// <summary>The caller of a coordinator without authentication: everyone may do everything.</summary>
    public static Caller Unauthenticated(string? user) =>
        new(string.IsNullOrWhiteSpace(user) ? MlOps.Coordinator.Jobs.JobSubmitter.AnonymousOwner : user.Trim(), AccessRole.Admin, "none");

    /// <summary>True for an admin, who may act on other principals' jobs.</summary>
    public bool IsAdmin => Role == AccessRole.Admin;

    /// <summary>The caller the interceptor stored on the call, or one built from the user header when there is none
    /// (a service called without the interceptor, as in unit tests).</summary>
    public static Caller Of(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.UserState.TryGetValue(Key, out var value) && value is Caller caller
            ? caller
            : Unauthenticated(context.RequestHeaders.GetValue(MlOps.Coordinator.Api.JobGrpcService.UserHeader));
    }

    internal void AttachTo(ServerCallContext context) => context.UserState[Key] = this;
}
