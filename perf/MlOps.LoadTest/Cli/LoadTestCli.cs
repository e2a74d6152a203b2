using System.CommandLine;
using MlOps.LoadTest.Scenarios;

namespace MlOps.LoadTest.Cli;

/// <summary>The <c>mlops-loadtest</c> command line: <c>run</c>, <c>standard</c>, <c>payload</c>, <c>inprocess</c>, <c>report</c>.</summary>
public static class LoadTestCli
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var root = new RootCommand("mlops-loadtest: load tests for Open Inference Protocol model servers (gRPC and REST)")
        {
            RunCommand.Create(stdout, stderr),
            StandardCommand.Create(stdout, stderr),
            PayloadCommand.Create(stdout, stderr),
            InProcessCommand.Create(stdout, stderr),
            ReportCommand.Create(stdout, stderr),
        };
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                await stderr.WriteLineAsync($"error: {error.Message}");
            }

            return ExitCodes.Usage;
        }

        try
        {
            return await parseResult.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (ScenarioFileException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.SourceName}: {ex.Errors.Count} problem(s)");
            foreach (var error in ex.Errors)
            {
                await stderr.WriteLineAsync($"  {error}");
            }

            return ExitCodes.Usage;
        }
        catch (UsageException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (LoadTestException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Failed;
        }
    }
}

/// <summary>A command-line value that cannot be used; the message names the option.</summary>
internal sealed class UsageException(string message) : Exception(message);
