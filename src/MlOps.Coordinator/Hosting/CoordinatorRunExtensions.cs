using Microsoft.Extensions.Options;

namespace MlOps.Coordinator.Hosting;

/// <summary>Runs the coordinator until SIGTERM or Ctrl-C and turns a bad configuration into a clear message and exit code.</summary>
public static class CoordinatorRunExtensions
{
    /// <summary>Exit code for a configuration that failed validation at start.</summary>
    public const int InvalidConfigurationExitCode = 2;

    public static async Task<int> RunCoordinatorAsync(this WebApplication app)
    {
        try
        {
            // Resolved before running: RunAsync disposes the services when the host stops.
            var election = app.Services.GetService<MlOps.Coordinator.HighAvailability.LeaderElection>();
            await app.RunAsync();
            return election is { LostLeadership: true } ? MlOps.Coordinator.HighAvailability.LeaderElection.LostLeadershipExitCode : 0;
        }
        catch (Exception ex) when (ConfigurationErrors(ex) is { Count: > 0 } errors)
        {
            await Console.Error.WriteLineAsync("coordinator: invalid configuration:");
            foreach (var error in errors)
            {
                await Console.Error.WriteLineAsync("  " + error);
            }

            return InvalidConfigurationExitCode;
        }
    }

    private static List<string> ConfigurationErrors(Exception exception) => exception switch
    {
        OptionsValidationException validation => [.. validation.Failures],
        AggregateException aggregate => [.. aggregate.InnerExceptions.SelectMany(ConfigurationErrors)],
        _ => [],
    };
}
