using System.Text;
using Microsoft.Extensions.Options;
using MlOps.Coordinator.Configuration;
using MlOps.Coordinator.HighAvailability;

namespace MlOps.Coordinator.Access;

/// <summary>
/// Once this coordinator leads: with authentication on and no token in the store, makes the first admin token and
/// writes its secret to <see cref="AccessOptions.BootstrapTokenFile"/> (0600, never to the log); then reloads the
/// token cache every <see cref="AccessOptions.CacheRefresh"/>, so expiries and tokens changed through another
/// coordinator reach the agents' inference credentials.
/// </summary>
internal sealed class AccessStartup(
    IOptions<CoordinatorOptions> coordinator,
    Leadership leadership,
    ApiTokens tokens,
    TimeProvider time,
    ILogger<AccessStartup> logger) : BackgroundService
{
    /// <summary>The principal the first admin token acts as.</summary>
    public const string FirstAdminName = "admin";

    public string BootstrapTokenPath => string.IsNullOrWhiteSpace(coordinator.Value.Auth.BootstrapTokenFile)
        ? Path.Combine(coordinator.Value.DataDirectory, "admin.token")
        : coordinator.Value.Auth.BootstrapTokenFile;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await leadership.WaitQuietlyAsync(stoppingToken))
        {
            return;
        }

        if (coordinator.Value.Auth.Enabled)
        {
            var first = await tokens.CreateFirstAdminAsync(FirstAdminName, stoppingToken);
            if (first is { } made)
            {
                WriteSecret(BootstrapTokenPath, made.Secret);
                AccessLog.FirstAdminToken(logger, made.Token.Id, made.Token.Name, BootstrapTokenPath);
            }
        }

        await tokens.ReloadAsync(stoppingToken);
        var state = coordinator.Value.Auth.Enabled ? "on" : "off (loopback only)";
        var valid = tokens.ValidHashes().Count;
        AccessLog.Started(logger, state, valid);
        using var timer = new PeriodicTimer(coordinator.Value.Auth.CacheRefresh, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await tokens.ReloadAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    AccessLog.ReloadFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Writes the secret readable by the owner only, through a temporary file, so no one else ever sees it.</summary>
    private static void WriteSecret(string path, string secret)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.Delete(temporary);
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, create))
        {
            stream.Write(Encoding.UTF8.GetBytes(secret + "\n"));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
