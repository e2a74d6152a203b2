using System.CommandLine;

namespace MlOps.Cli.LocalCluster;

/// <summary><c>mlops up</c>: a coordinator and one agent on this machine, until Ctrl-C or SIGTERM.</summary>
internal static class UpCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var dataDir = new Option<string?>("--data-dir")
        {
            Description = "Data directory; the coordinator uses DIR/coordinator, the agent DIR/agent [default: $XDG_DATA_HOME/mlops, else ~/.local/share/mlops]",
            HelpName = "DIR",
        };
        var port = new Option<int>("--port", "-p")
        {
            Description = "Port of the coordinator on 127.0.0.1",
            HelpName = "N",
            DefaultValueFactory = _ => UpSettings.DefaultPort,
        };
        port.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 65535)
            {
                result.AddError("--port must be between 1 and 65535");
            }
        });
        var grpcPort = new Option<int>("--grpc-port")
        {
            Description = "Port of the agent's inference gRPC endpoint on 127.0.0.1 (0: serve no models)",
            HelpName = "N",
            DefaultValueFactory = _ => UpSettings.DefaultGrpcPort,
        };
        var restPort = new Option<int>("--rest-port")
        {
            Description = "Port of the agent's inference REST endpoint and /metrics on 127.0.0.1 (0: off)",
            HelpName = "N",
            DefaultValueFactory = _ => UpSettings.DefaultRestPort,
        };
        foreach (var option in new[] { grpcPort, restPort })
        {
            option.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() is < 0 or > 65535)
                {
                    result.AddError($"{option.Name} must be between 0 and 65535");
                }
            });
        }

        var agentId = new Option<string>("--agent-id")
        {
            Description = "Id of the agent",
            HelpName = "ID",
            DefaultValueFactory = _ => UpSettings.DefaultAgentId,
        };
        var coordinatorPath = new Option<string?>(ClusterBinary.Coordinator.OptionName)
        {
            Description = $"{ClusterBinary.Coordinator.FileName} (or its folder) [default: ${ClusterBinary.Coordinator.Variable}, next to mlops, or the build output]",
            HelpName = "PATH",
        };
        var agentPath = new Option<string?>(ClusterBinary.Agent.OptionName)
        {
            Description = $"{ClusterBinary.Agent.FileName} (or its folder) [default: ${ClusterBinary.Agent.Variable}, next to mlops, or the build output]",
            HelpName = "PATH",
        };
        var command = new Command("up", "Run a coordinator and one agent on this machine until Ctrl-C")
        {
            dataDir, port, grpcPort, restPort, agentId, coordinatorPath, agentPath,
        };
        CommandAction.Set(command, environment, (parseResult, cancellationToken) =>
        {
            var settings = new UpSettings
            {
                DataDirectory = DataDirectory.Resolve(parseResult.GetValue(dataDir), environment),
                Port = parseResult.GetValue(port),
                GrpcPort = parseResult.GetValue(grpcPort),
                RestPort = parseResult.GetValue(restPort),
                AgentId = parseResult.GetValue(agentId) ?? UpSettings.DefaultAgentId,
                CoordinatorPath = parseResult.GetValue(coordinatorPath),
                AgentPath = parseResult.GetValue(agentPath),
            };
            return new LocalClusterRunner(settings, environment).RunAsync(cancellationToken);
        });
        return command;
    }
}
