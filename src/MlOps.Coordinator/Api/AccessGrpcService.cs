using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Options;
using MlOps.Contracts;
using MlOps.Contracts.Access;
using MlOps.Coordinator.Access;
using MlOps.Coordinator.Configuration;
using MlOps.Coordinator.Storage;
using MlOps.Core.Jobs;

namespace MlOps.Coordinator.Api;

/// <summary><c>AccessService</c>: API tokens and the audit log. Who may call what is <see cref="MethodRules"/>'s
/// business (the interceptor refuses before these run).</summary>
internal sealed class AccessGrpcService(
    ApiTokens tokens, IAccessStore store, IOptions<CoordinatorOptions> options, ILogger<AccessGrpcService> logger) : AccessService.AccessServiceBase
{
    public const int DefaultAuditPage = 100;
    public const int MaxAuditPage = 1000;

    /// <summary>The longest a token may be made valid for.</summary>
    public static readonly TimeSpan MaxValidity = TimeSpan.FromDays(3660);

    public override async Task<CreateTokenResponse> CreateToken(CreateTokenRequest request, ServerCallContext context)
    {
        var errors = new List<FieldError>();
        if (ApiTokens.NameProblem(request.Name) is { } nameProblem)
        {
            errors.Add(new FieldError("name", nameProblem));
        }

        if (!AccessRoles.TryParseTokenRole(request.Role, out var role))
        {
            errors.Add(new FieldError("role", $"must be one of {string.Join(", ", AccessRoles.TokenRoleNames)}, got '{request.Role}'"));
        }

        var validFor = request.ValidFor?.ToTimeSpan();
        if (validFor is { } span && (span < TimeSpan.Zero || span > MaxValidity))
        {
            errors.Add(new FieldError("valid_for", $"must be zero (no expiry) or up to {MaxValidity.TotalDays:0} days, got {span}"));
        }

        if (request.Description.Length > 500)
        {
            errors.Add(new FieldError("description", $"must be at most 500 characters, got {request.Description.Length}"));
        }

        if (errors.Count > 0)
        {
            throw RpcErrors.InvalidArgument(errors);
        }

        var caller = Caller.Of(context);
        var (token, secret) = await tokens.CreateAsync(request.Name, role, request.Description, validFor, caller.Principal, context.CancellationToken);
        AccessLog.TokenCreated(logger, caller.Principal, token.Id, token.Name, token.Role);
        return new CreateTokenResponse { Token = token, Secret = secret };
    }

    public override async Task<ListTokensResponse> ListTokens(ListTokensRequest request, ServerCallContext context)
    {
        var response = new ListTokensResponse();
        response.Tokens.AddRange((await tokens.ListAsync(context.CancellationToken))
            .Where(t => request.IncludeRevoked || t.RevokedAt is null));
        return response;
    }

    public override async Task<ApiToken> RevokeToken(RevokeTokenRequest request, ServerCallContext context)
    {
        RpcErrors.RequireId(request.Id, "id");
        var caller = Caller.Of(context);
        var revoked = await tokens.RevokeAsync(request.Id, caller.Principal, context.CancellationToken)
            ?? RpcErrors.ThrowNotFound<ApiToken>("id", $"no API token '{request.Id}' (mlops token ls --all lists them)");
        AccessLog.TokenRevoked(logger, caller.Principal, revoked.Id, revoked.Name);
        return revoked;
    }

    public override Task<WhoAmIResponse> WhoAmI(WhoAmIRequest request, ServerCallContext context)
    {
        var caller = Caller.Of(context);
        return Task.FromResult(new WhoAmIResponse
        {
            Principal = caller.Principal,
            Role = caller.Role.Name(),
            AuthenticatedBy = caller.AuthenticatedBy,
            AuthEnabled = options.Value.Auth.Enabled,
        });
    }

    public override async Task<ListAuditResponse> ListAudit(ListAuditRequest request, ServerCallContext context)
    {
        var errors = new List<FieldError>();
        if (request.PageSize is < 0 or > MaxAuditPage)
        {
            errors.Add(new FieldError("page_size", $"must be 0 (the default, {DefaultAuditPage}) to {MaxAuditPage}, got {request.PageSize}"));
        }

        long? before = null;
        if (!string.IsNullOrEmpty(request.PageToken))
        {
            if (long.TryParse(request.PageToken, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) && sequence > 0)
            {
                before = sequence;
            }
            else
            {
                errors.Add(new FieldError("page_token", $"is not a page token this service gave, got '{request.PageToken}'"));
            }
        }

        if (errors.Count > 0)
        {
            throw RpcErrors.InvalidArgument(errors);
        }

        var size = request.PageSize == 0 ? DefaultAuditPage : request.PageSize;
        var records = await store.ListAuditAsync(
            new AuditQuery(request.Principal, request.Method, request.Since?.ToDateTimeOffset(), before, size + 1), context.CancellationToken);
        var response = new ListAuditResponse();
        response.Records.AddRange(records.Take(size));
        if (records.Count > size)
        {
            response.NextPageToken = records[size - 1].Sequence.ToString(CultureInfo.InvariantCulture);
        }

        return response;
    }
}
