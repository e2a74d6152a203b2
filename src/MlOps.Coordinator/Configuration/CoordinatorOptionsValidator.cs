using Microsoft.Extensions.Options;
using MlOps.Coordinator.Storage.Postgres;
using MlOps.Core.Certificates;

namespace MlOps.Coordinator.Configuration;

/// <summary>Checks <see cref="CoordinatorOptions"/> at start-up and reports every problem at once.</summary>
internal sealed class CoordinatorOptionsValidator : IValidateOptions<CoordinatorOptions>
{
    public ValidateOptionsResult Validate(string? name, CoordinatorOptions options)
    {
        var errors = new List<string>();
        void Error(string key, string message) => errors.Add($"{CoordinatorOptions.SectionName}:{key} {message}");

        if (!ListenAddress.TryParse(options.Listen, out var listen, out var listenError))
        {
            Error(nameof(options.Listen), listenError);
        }
        else
        {
            ValidateTransport(options, listen, Error);
        }

        errors.AddRange(options.Auth.Problems(listen, options.Listen));
        errors.AddRange(options.Tls.Problems($"{CoordinatorOptions.SectionName}:{nameof(options.Tls)}", ClusterRoles.ServerAuthentication));

        if (!string.IsNullOrWhiteSpace(options.MetricsListen))
        {
            if (!ListenAddress.TryParse(options.MetricsListen, out var metrics, out var metricsError))
            {
                Error(nameof(options.MetricsListen), metricsError + " (or empty for no metrics listener)");
            }
            else if (metrics.IsHttps)
            {
                Error(nameof(options.MetricsListen), $"'{options.MetricsListen}' uses scheme 'https'; the metrics listener serves plain HTTP/1.1 for Prometheus, so use http://");
            }
            else if (listen is not null && metrics.Port != 0 && metrics.Port == listen.Port)
            {
                Error(nameof(options.MetricsListen), $"must use another port than Listen ({options.Listen}): Prometheus scrapes over HTTP/1.1, the gRPC endpoint is HTTP/2 only; got '{options.MetricsListen}'");
            }
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            Error(nameof(options.DataDirectory), "is required");
        }
        else if (!Path.IsPathFullyQualified(options.DataDirectory))
        {
            Error(nameof(options.DataDirectory), $"must be an absolute path, got '{options.DataDirectory}'");
        }

        switch (options.Store)
        {
            case CoordinatorOptions.SqliteStore:
                break;
            case CoordinatorOptions.PostgresStore:
                foreach (var problem in PostgresConnectionStrings.Validate(options.PostgresConnectionString))
                {
                    Error(nameof(options.PostgresConnectionString), problem);
                }

                break;
            default:
                Error(nameof(options.Store),
                    $"must be '{CoordinatorOptions.SqliteStore}' or '{CoordinatorOptions.PostgresStore}', got '{options.Store}'");
                break;
        }

        if (options.LeaseDuration < TimeSpan.FromSeconds(1))
        {
            Error(nameof(options.LeaseDuration), $"must be at least 1 second, got {options.LeaseDuration}");
        }

        if (options.HeartbeatInterval <= TimeSpan.Zero)
        {
            Error(nameof(options.HeartbeatInterval), $"must be positive, got {options.HeartbeatInterval}");
        }
        else if (options.HeartbeatInterval * 2 > options.LeaseDuration)
        {
            // One lost heartbeat must not cost an agent its lease.
            Error(nameof(options.HeartbeatInterval),
                $"must be at most half of LeaseDuration ({options.LeaseDuration}), got {options.HeartbeatInterval}");
        }

        if (options.DefaultMaxAttempts is < 1 or > MlOps.Core.Jobs.JobSpecValidator.MaxAttemptsLimit)
        {
            Error(nameof(options.DefaultMaxAttempts),
                $"must be between 1 and {MlOps.Core.Jobs.JobSpecValidator.MaxAttemptsLimit}, got {options.DefaultMaxAttempts}");
        }

        if (options.CheckpointEvery != TimeSpan.Zero && (options.CheckpointEvery < TimeSpan.FromSeconds(10) || options.CheckpointEvery > TimeSpan.FromDays(7)))
        {
            Error(nameof(options.CheckpointEvery), $"must be 0 (off) or between 10 seconds and 7 days, got {options.CheckpointEvery}");
        }

        if (options.SchedulerInterval < TimeSpan.FromMilliseconds(10))
        {
            Error(nameof(options.SchedulerInterval), $"must be at least 10 ms, got {options.SchedulerInterval}");
        }

        if (options.RetryBackoff < TimeSpan.Zero)
        {
            Error(nameof(options.RetryBackoff), $"must not be negative, got {options.RetryBackoff}");
        }

        if (options.DeploymentInterval < TimeSpan.FromMilliseconds(10))
        {
            Error(nameof(options.DeploymentInterval), $"must be at least 10 ms, got {options.DeploymentInterval}");
        }

        if (options.MaxEventsPerWatchBatch is < 1 or > 10_000)
        {
            Error(nameof(options.MaxEventsPerWatchBatch), $"must be between 1 and 10000, got {options.MaxEventsPerWatchBatch}");
        }

        if (options.Consul is { Enabled: true } consul)
        {
            // The client's own settings (address, token) are checked by ConsulOptions' validator, bound from the same section.
            if (consul.SilenceBeforeLoss is { } silence && (silence < options.HeartbeatInterval || silence > TimeSpan.FromHours(1)))
            {
                Error("Consul:SilenceBeforeLoss", $"must be at least HeartbeatInterval ({options.HeartbeatInterval}) and at most 1 hour, got {silence}");
            }

            if (consul.WaitTime < TimeSpan.FromSeconds(1) || consul.WaitTime > MlOps.Discovery.QueryOptions.MaxWait)
            {
                Error("Consul:WaitTime", $"must be between 1 second and {MlOps.Discovery.QueryOptions.MaxWait}, got {consul.WaitTime}");
            }
        }

        if (options.HighAvailability is { Enabled: true } ha)
        {
            if (!options.Consul.Enabled)
            {
                Error("HighAvailability:Enabled", "needs Coordinator:Consul:Address (the leader is elected through a Consul lock)");
            }

            if (options.Store != CoordinatorOptions.PostgresStore)
            {
                Error("HighAvailability:Enabled", $"needs Coordinator:Store={CoordinatorOptions.PostgresStore} (the coordinators share its state), got '{options.Store}'");
            }

            if (string.IsNullOrWhiteSpace(ha.LockKey) || ha.LockKey.StartsWith('/') || ha.LockKey.Any(char.IsWhiteSpace))
            {
                Error("HighAvailability:LockKey", $"must be a Consul KV key without a leading '/' or spaces, got '{ha.LockKey}'");
            }

            if (ha.AdvertiseAddress is { } advertise && (!Uri.TryCreate(advertise, UriKind.Absolute, out var uri) ||
                uri.Scheme is not ("http" or "https") || uri.Port <= 0 || uri.Host is "0.0.0.0" or "[::]" || uri.AbsolutePath != "/"))
            {
                Error("HighAvailability:AdvertiseAddress", $"must be http(s)://HOST:PORT that others can reach (not a wildcard address), got '{advertise}'");
            }

            if (ha.SessionTtl < TimeSpan.FromSeconds(10) || ha.SessionTtl > TimeSpan.FromHours(1))
            {
                Error("HighAvailability:SessionTtl", $"must be between 10 seconds and 1 hour (Consul's limits), got {ha.SessionTtl}");
            }

            if (ha.LockDelay < TimeSpan.Zero || ha.LockDelay > TimeSpan.FromSeconds(60))
            {
                Error("HighAvailability:LockDelay", $"must be between 0 and 60 seconds, got {ha.LockDelay}");
            }

            if (ha.CheckInterval < TimeSpan.FromSeconds(1) || ha.CheckInterval > TimeSpan.FromSeconds(60))
            {
                Error("HighAvailability:CheckInterval", $"must be between 1 and 60 seconds, got {ha.CheckInterval}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>
    /// https needs the TLS files and the TLS files need https; plaintext is for loopback alone, so that nothing
    /// reaches the cluster API from another machine without mutual TLS.
    /// </summary>
    private static void ValidateTransport(CoordinatorOptions options, ListenAddress listen, Action<string, string> error)
    {
        const string tls = $"{CoordinatorOptions.SectionName}:{nameof(CoordinatorOptions.Tls)}";
        if (listen.IsHttps && !options.Tls.Enabled)
        {
            error(nameof(options.Listen), $"'{options.Listen}' serves TLS, which needs {tls} (CertificateFile, KeyFile and AuthorityFile: the coordinator's certificate, its key and the cluster CA; docs/security.md)");
        }
        else if (!listen.IsHttps && options.Tls.Enabled)
        {
            error(nameof(options.Listen), $"must be https://HOST:PORT when {tls} is set, got '{options.Listen}'");
        }
        else if (!listen.IsHttps && !listen.IsLoopback)
        {
            error(nameof(options.Listen), $"'{options.Listen}' would serve the cluster API without TLS beyond this machine: plaintext is allowed on loopback only (127.0.0.1, ::1, localhost). Set {tls} (CertificateFile, KeyFile, AuthorityFile; docs/security.md) and listen on https://, or listen on 127.0.0.1");
        }
    }
}
