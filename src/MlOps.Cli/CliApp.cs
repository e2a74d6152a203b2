using System.CommandLine;
using System.CommandLine.Invocation;
using MlOps.Cli.Agents;
using MlOps.Cli.Certificates;
using MlOps.Cli.Datasets;
using MlOps.Cli.Deployments;
using MlOps.Cli.Predicting;
using MlOps.Cli.Jobs;
using MlOps.Cli.LocalCluster;
using MlOps.Cli.Models;
using MlOps.Cli.Reproducing;
using MlOps.Cli.Retraining;
using MlOps.Cli.Watching;

namespace MlOps.Cli;

/// <summary>The <c>mlops</c> command line: builds the command tree, parses, runs, and returns the exit code.</summary>
public static class CliApp
{
    /// <summary>Runs one command line with the given writers and the real machine otherwise.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        RunAsync(args, new CliEnvironment { Out = stdout, Error = stderr }, CancellationToken.None);

    public static async Task<int> RunAsync(string[] args, CliEnvironment environment, CancellationToken cancellationToken)
    {
        var parseResult = BuildRootCommand(environment).Parse(args, ParserSettings);
        if (parseResult.Action is ParseErrorAction)
        {
            foreach (var error in parseResult.Errors)
            {
                await environment.Error.WriteLineAsync($"error: {error.Message}");
            }

            await environment.Error.WriteLineAsync($"Run '{CommandPath(parseResult)} --help' for usage.");
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration
        {
            Output = environment.Out,
            Error = environment.Error,
            EnableDefaultExceptionHandler = false,
            // ShutdownSignal owns SIGINT/SIGTERM so that 'up' can take its time stopping the children.
            ProcessTerminationTimeout = null,
        };
        return await parseResult.InvokeAsync(configuration, cancellationToken);
    }

    /// <summary>
    /// No response files: System.CommandLine would read <c>@staging</c> as a file of arguments, and <c>@ALIAS</c> is
    /// how model references name aliases (<c>--canary @staging</c>, <c>deploy fashion@production</c>).
    /// </summary>
    public static ParserConfiguration ParserSettings { get; } = new() { ResponseFileTokenReplacer = null };

    /// <summary>The whole command tree; options read their defaults from <paramref name="environment"/>.</summary>
    public static RootCommand BuildRootCommand(CliEnvironment environment)
    {
        var shared = new SharedOptions(environment);
        return new RootCommand("mlops: train, register, deploy and call models on an MLOps cluster")
        {
            UpCommand.Create(environment),
            SubmitCommand.Create(environment, shared),
            ListJobsCommand.Create(environment, shared),
            JobDetailsCommand.Create(environment, shared),
            WatchCommand.Create(environment, shared),
            CancelCommand.Create(environment, shared),
            AgentsCommand.Create(environment, shared),
            DataCommand.Create(environment, shared),
            ModelCommand.Create(environment, shared),
            ReproduceCommand.Create(environment, shared),
            DeployCommand.Create(environment, shared),
            RolloutCommand.Create(environment, shared),
            RollbackCommand.Create(environment, shared),
            DeploymentsCommand.CreateList(environment, shared),
            DeploymentsCommand.CreateDelete(environment, shared),
            MlOps.Cli.Monitoring.MonitorCommand.Create(environment, shared),
            PredictCommand.Create(environment, shared),
            RetrainCommand.Create(environment, shared),
            MlOps.Cli.Pipelines.PipelineCommand.Create(environment, shared),
            CertsCommand.Create(environment),
            MlOps.Cli.Access.TokenCommand.Create(environment, shared),
            MlOps.Cli.Access.WhoAmICommand.Create(environment, shared),
            MlOps.Cli.Access.AuditCommand.Create(environment, shared),
        };
    }

    private static string CommandPath(ParseResult parseResult)
    {
        var names = new List<string>();
        for (var result = parseResult.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, result.Command is RootCommand ? "mlops" : result.Command.Name);
        }

        return string.Join(' ', names);
    }
}
