using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using MlOps.Agent.Options;

namespace MlOps.Agent.Inventory;

/// <summary>
/// <c>MlOps.Agent --inventory</c>: prints what this node offers (the capacity its hello would carry) and every GPU's
/// health as JSON, then exits 0, for scripts that check a node (docs/gpu.md). A node without NVML prints no GPUs and
/// says why in <c>gpuProblem</c>; that is not a failure.
/// </summary>
internal static class InventoryCommand
{
    public const string Flag = "--inventory";

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static int Run(TextWriter stdout)
    {
        using var nvml = new NvmlDevices();
        var (capacity, problem) = NodeInventory.Read(new AgentOptions(), nvml);
        var health = new GpuHealthMonitor(nvml).Read();

        var json = new JsonObject
        {
            ["capacity"] = JsonNode.Parse(Formatter.Format(capacity)),
            ["gpuHealth"] = new JsonArray([.. health.Select(h => JsonNode.Parse(Formatter.Format(h)))]),
            ["gpuProblem"] = problem,
        };
        stdout.WriteLine(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }
}
