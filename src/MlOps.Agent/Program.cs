using Microsoft.Extensions.Hosting;
using MlOps.Agent;
using MlOps.Agent.Inventory;
using MlOps.Agent.Worker;

if (args.Length > 0 && args[0] == "train")
{
    // Child-process role: one job attempt, isolated from the agent.
    return TrainCommand.Run(args, Console.Out, Console.Error, Console.In);
}

if (args.Length > 0 && args[0] == "step")
{
    // Child-process role: one built-in step of a command job (prepare, evaluate).
    return StepCommand.Run(args, Console.Out, Console.Error, Console.In);
}

if (args.Length > 0 && args[0] == InventoryCommand.Flag)
{
    // For scripts: the node's capacity and GPU health as JSON (docs/gpu.md).
    return InventoryCommand.Run(Console.Out);
}

var builder = Host.CreateApplicationBuilder(args);
builder.AddAgent();
using var host = builder.Build();
await host.RunAsync();
return 0;
