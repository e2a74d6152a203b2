namespace MlOps.Contracts.Access;

/// <summary>
/// What a caller may do. User roles are ordered, each including the one below it: a viewer reads; an ml-engineer also
/// submits and cancels its own jobs, pushes data and runs pipelines; a deployer also deploys, moves aliases and sets
/// retraining policies; an admin also manages agents, tokens and the audit log, and cancels anyone's jobs.
/// <see cref="Agent"/> stands apart: a node proving itself with its cluster certificate, allowed the agent stream and
/// the artifact and read calls that training and serving need.
/// </summary>
public enum AccessRole
{
    /// <summary>Not recognised: no valid token or certificate.</summary>
    None = 0,
    Viewer = 1,
    MlEngineer = 2,
    Deployer = 3,
    Admin = 4,
    Agent = 10,
}

/// <summary>The names tokens, the CLI and the audit log use for <see cref="AccessRole"/>.</summary>
public static class AccessRoles
{
    /// <summary>The roles a token may carry, lowest first.</summary>
    public static IReadOnlyList<string> TokenRoleNames { get; } = ["viewer", "ml-engineer", "deployer", "admin"];

    public static string Name(this AccessRole role) => role switch
    {
        AccessRole.Viewer => "viewer",
        AccessRole.MlEngineer => "ml-engineer",
        AccessRole.Deployer => "deployer",
        AccessRole.Admin => "admin",
        AccessRole.Agent => "agent",
        _ => "none",
    };

    /// <summary>Parses a token role name (not <c>agent</c>: that role comes only from a certificate).</summary>
    public static bool TryParseTokenRole(string? text, out AccessRole role)
    {
        var index = text is null ? -1 : TokenRoleNames.ToList().IndexOf(text.Trim().ToLowerInvariant());
        role = index < 0 ? AccessRole.None : (AccessRole)(index + 1);
        return index >= 0;
    }

    /// <summary>True when a user with <paramref name="role"/> has at least <paramref name="minimum"/>.</summary>
    public static bool IsAtLeast(this AccessRole role, AccessRole minimum) =>
        role is >= AccessRole.Viewer and <= AccessRole.Admin && role >= minimum;
}
