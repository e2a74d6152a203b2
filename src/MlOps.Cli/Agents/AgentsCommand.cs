using System.CommandLine;
using MlOps.Cli.Output;
using MlOps.Contracts;

namespace MlOps.Cli.Agents;

/// <summary><c>mlops agents</c>: every agent the coordinator knows, with its capacity and what is free;
/// <c>mlops agents drain NODE</c> and <c>mlops agents undrain NODE</c>.</summary>
internal static class AgentsCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var command = shared.AddTo(new Command("agents", "List the cluster's agents and their capacity; drain or undrain one")
        {
            CreateDrain(environment, shared, drain: true),
            CreateDrain(environment, shared, drain: false),
        });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var agents = await client.ListAgentsAsync(cancellationToken);
            if (context.Json)
            {
                var response = new ListAgentsResponse();
                response.Agents.Add(agents);
                await context.Out.WriteLineAsync(ProtoJson.Indented(response));
                return ExitCodes.Ok;
            }

            if (agents.Count == 0)
            {
                await context.Error.WriteLineAsync("no agents have registered");
                return ExitCodes.Ok;
            }

            Table(agents, environment.Time.GetUtcNow()).Write(context.Out, environment.OutputIsTerminal);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateDrain(CliEnvironment environment, SharedOptions shared, bool drain)
    {
        var node = new Argument<string>("agent") { Description = "Agent id", HelpName = "NODE" };
        var command = shared.AddTo(drain
            ? new Command("drain", "Stop sending work to an agent: running jobs finish, no new job starts, serving replicas move to other agents first") { node }
            : new Command("undrain", "Let an agent take jobs and serving replicas again") { node });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var agent = await client.SetAgentDrainAsync(parseResult.GetValue(node)!, drain, cancellationToken);
            if (context.Json)
            {
                await context.Out.WriteLineAsync(ProtoJson.Indented(agent));
                return ExitCodes.Ok;
            }

            await context.Out.WriteLineAsync(drain
                ? $"drained {agent.AgentId}: no new jobs or replicas; {Display.Integer(agent.RunningJobIds.Count)} running job(s) will finish there, and its replicas move once others are ready"
                : $"undrained {agent.AgentId}: it takes jobs and replicas again");
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static TextTable Table(IEnumerable<AgentInfo> agents, DateTimeOffset now)
    {
        var table = new TextTable("id", "host", "status", "cores", "memory", "gpus", "free", "running jobs", "last seen");
        foreach (var agent in agents.OrderBy(a => a.AgentId, StringComparer.Ordinal))
        {
            var capacity = agent.Capacity ?? new AgentCapacity();
            table.AddRow(
                agent.AgentId,
                agent.Host,
                Display.Status(agent.Status) + (agent.Drained ? " (drained)" : ""),
                Display.Integer(capacity.CpuCores),
                Display.Memory(capacity.MemoryMb),
                Gpus(capacity, agent.GpuHealth),
                Free(agent.Free),
                agent.RunningJobIds.Count == 0 ? Display.None : string.Join(',', agent.RunningJobIds),
                Display.Ago(agent.LastSeen, now));
        }

        return table;
    }

    /// <summary><c>2 (NVIDIA H100 80GB HBM3)</c>, <c>2 (NVIDIA H100 80GB HBM3; 1 unhealthy)</c>, or <c>0</c>; the
    /// health details (which GPU, why) are in <c>-o json</c>.</summary>
    private static string Gpus(AgentCapacity capacity, IReadOnlyCollection<GpuHealth> health)
    {
        if (capacity.Gpus.Count == 0)
        {
            return "0";
        }

        var models = capacity.Gpus.Select(g => g.Model).Where(m => !string.IsNullOrEmpty(m)).Distinct(StringComparer.Ordinal);
        var names = string.Join(", ", models);
        var unhealthy = health.Count(h => !h.Healthy);
        List<string> notes = [];
        if (names.Length > 0)
        {
            notes.Add(names);
        }

        if (unhealthy > 0)
        {
            notes.Add($"{Display.Integer(unhealthy)} unhealthy");
        }

        var count = Display.Integer(capacity.Gpus.Count);
        return notes.Count == 0 ? count : $"{count} ({string.Join("; ", notes)})";
    }

    private static string Free(Resources? free) => free is null
        ? Display.None
        : $"{Display.Integer(free.CpuCores)} cpu, {Display.Memory(free.MemoryMb)}, {Display.Integer(free.Gpus)} gpu";
}
