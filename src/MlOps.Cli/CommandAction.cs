using System.CommandLine;
using Grpc.Core;
using MlOps.Artifacts;
using MlOps.Cli.Client;

namespace MlOps.Cli;

/// <summary>
/// Runs a command's body and maps whatever it throws to a message on stderr and an exit code, so commands
/// only throw <see cref="CliException"/> and never print their own errors.
/// </summary>
internal static class CommandAction
{
    public static void Set(Command command, CliEnvironment environment, Func<ParseResult, CancellationToken, Task<int>> body) =>
        command.SetAction((parseResult, cancellationToken) => RunAsync(environment, () => body(parseResult, cancellationToken), cancellationToken));

    public static async Task<int> RunAsync(CliEnvironment environment, Func<Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await body();
        }
        catch (CliException ex)
        {
            await ReportAsync(environment.Error, ex);
            return ex.ExitCode;
        }
        catch (RpcException ex) when (!(ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested))
        {
            var mapped = RpcErrors.ToCliException(ex, "the coordinator");
            await ReportAsync(environment.Error, mapped);
            return mapped.ExitCode;
        }
        catch (Exception ex) when (IsArtifactError(ex) && !cancellationToken.IsCancellationRequested)
        {
            var mapped = ArtifactErrors.ToCliException(ex, "the coordinator");
            await ReportAsync(environment.Error, mapped);
            return mapped.ExitCode;
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or RpcException)
        {
            await environment.Error.WriteLineAsync("interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception ex)
        {
            // A bug or an environment problem we did not foresee: still a one-line message and a stable code.
            await environment.Error.WriteLineAsync($"error: {ex.GetType().Name}: {ex.Message}");
            return ExitCodes.Error;
        }
    }

    /// <summary>
    /// The artifact store's errors, and the <see cref="ArgumentException"/> it raises for a coordinator's
    /// INVALID_ARGUMENT (a local ArgumentException is a bug and stays one).
    /// </summary>
    private static bool IsArtifactError(Exception ex) =>
        ex is ArtifactException || (ex is ArgumentException && ex.InnerException is RpcException);

    public static async Task ReportAsync(TextWriter error, CliException ex)
    {
        await error.WriteLineAsync($"error: {ex.Message}");
        foreach (var line in ex.Details)
        {
            await error.WriteLineAsync($"  {line}");
        }
    }
}
