using System.Text.RegularExpressions;

namespace MlOps.Agent.Jobs;

/// <summary>
/// What a command job's program inherits of the agent's own environment: everything but the agent's configuration and
/// its secrets. The agent is configured by variables such as <c>Agent__Consul__Token</c> (systemd's
/// <c>/etc/mlops/agent.env</c>); a program from a spec must not read the Consul ACL token, a registry password or any
/// other credential that way. A variable the spec sets itself (<c>command.env</c>) is put back afterwards.
/// </summary>
internal static partial class CommandEnvironment
{
    /// <summary>Removes .NET configuration overrides (names with <c>__</c>) and names that look like credentials.</summary>
    public static void Scrub(IDictionary<string, string?> environment)
    {
        foreach (var name in environment.Keys.Where(IsWithheld).ToList())
        {
            environment.Remove(name);
        }
    }

    /// <summary>True for a variable a program does not inherit.</summary>
    public static bool IsWithheld(string name) => name.Contains("__", StringComparison.Ordinal) || Secret().IsMatch(name);

    [GeneratedRegex("TOKEN|PASSWORD|PASSWD|SECRET|CREDENTIAL|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Secret();
}
