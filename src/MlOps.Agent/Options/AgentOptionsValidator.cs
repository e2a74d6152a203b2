using Microsoft.Extensions.Options;
using MlOps.Core.Certificates;

namespace MlOps.Agent.Options;

/// <summary>Fills derived defaults and reports every invalid setting at once, so a bad config stops the agent at boot.</summary>
internal sealed class AgentOptionsValidator : IValidateOptions<AgentOptions>, IPostConfigureOptions<AgentOptions>
{
    public void PostConfigure(string? name, AgentOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Id))
        {
            options.Id = CertificateName(options.Tls) ?? Environment.MachineName.ToLowerInvariant();
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            options.DataDirectory = AgentOptions.DefaultDataDirectory();
        }
    }

    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        var errors = new List<string>();
        var coordinators = MlOps.Client.Rpc.CoordinatorCallInvoker.ParseList(options.CoordinatorAddress ?? "");
        if (coordinators.Count == 0 || coordinators.Any(a => !Uri.TryCreate(a, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https")))
        {
            errors.Add($"Agent:CoordinatorAddress must be an http:// or https:// URL, or several separated by commas (coordinators with one leader), got '{options.CoordinatorAddress}'");
        }

        if (coordinators.Any(a => a.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) && !options.Tls.Enabled)
        {
            errors.Add($"Agent:CoordinatorAddress '{options.CoordinatorAddress}' uses https://, which needs Agent:Tls (CertificateFile, KeyFile and AuthorityFile: this node's agent certificate, its key and the cluster CA; docs/security.md)");
        }

        errors.AddRange(options.Tls.Problems("Agent:Tls", ClusterRoles.ClientAuthentication, ClusterRole.Agent));

        if (options.Id.Length > 128 || options.Id.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            errors.Add($"Agent:Id must be at most 128 characters without spaces, got '{options.Id}'");
        }

        if (options.ReconnectMinDelay <= TimeSpan.Zero || options.ReconnectMaxDelay < options.ReconnectMinDelay)
        {
            errors.Add("Agent:ReconnectMinDelay must be positive and at most Agent:ReconnectMaxDelay");
        }

        if (options.CancelGracePeriod < TimeSpan.Zero)
        {
            errors.Add("Agent:CancelGracePeriod must not be negative");
        }

        // Listen and advertise addresses, Auth and Tls: their schemes depend on whether the endpoints use TLS.
        errors.AddRange(Serving.ServingSecurity.Problems(options));

        if (!string.IsNullOrWhiteSpace(options.MetricsListen) && !Serving.ListenAddress.TryParse(options.MetricsListen, out _))
        {
            errors.Add($"Agent:MetricsListen must be http://HOST:PORT with an IP address or localhost (or empty for no metrics listener), got '{options.MetricsListen}'");
        }

        if (options.Serving.DrainDelay < TimeSpan.Zero)
        {
            errors.Add("Agent:Serving:DrainDelay must not be negative");
        }

        if (options.Serving.ProfileWindow <= TimeSpan.Zero)
        {
            errors.Add($"Agent:Serving:ProfileWindow must be positive, got {options.Serving.ProfileWindow}");
        }

        foreach (var (key, value) in options.Labels)
        {
            if (!LabelRule.IsMatch(key) || value is null || value.Length > 63)
            {
                errors.Add($"Agent:Labels:{key} must have a key of 1-63 letters, digits, '.', '_', '-' or '/' and a value of at most 63 characters");
            }
        }

        if (options.DefaultHeartbeatInterval <= TimeSpan.Zero)
        {
            errors.Add("Agent:DefaultHeartbeatInterval must be positive");
        }

        AddConsulErrors(options.Consul, errors);
        errors.AddRange(options.Training.Problems());

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>The common name of the configured certificate, or null when there is none or it cannot be read (the
    /// validation then names the problem).</summary>
    private static string? CertificateName(TlsFiles tls)
    {
        if (!tls.Enabled || string.IsNullOrWhiteSpace(tls.CertificateFile))
        {
            return null;
        }

        try
        {
            using var certificate = CertificateFiles.LoadCertificate(tls.CertificateFile);
            return ClusterIdentity.TryRead(certificate, out _, out var name) ? name : null;
        }
        catch (CertificateException)
        {
            return null;
        }
    }

    /// <summary>Only when Consul is in use: the client's own settings (address, token) are checked by
    /// <see cref="MlOps.Discovery.ConsulOptions"/>' validator, bound from the same section.</summary>
    private static void AddConsulErrors(AgentConsulOptions consul, List<string> errors)
    {
        if (consul is null || !consul.Enabled)
        {
            return;
        }

        if (consul.PassInterval < MinPassInterval || consul.PassInterval > MaxPassInterval)
        {
            errors.Add($"{AgentConsulOptions.SectionName}:PassInterval must be between {MinPassInterval} and {MaxPassInterval}, got {consul.PassInterval}");
        }

        if (consul.DeregisterCriticalAfter < AgentConsulOptions.MinDeregisterCriticalAfter)
        {
            errors.Add($"{AgentConsulOptions.SectionName}:DeregisterCriticalAfter must be at least {AgentConsulOptions.MinDeregisterCriticalAfter} (Consul's minimum), got {consul.DeregisterCriticalAfter}");
        }
    }

    private static readonly TimeSpan MinPassInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxPassInterval = TimeSpan.FromMinutes(5);

    private static readonly System.Text.RegularExpressions.Regex LabelRule =
        new("^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
}
