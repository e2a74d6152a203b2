using System.Text.Json;
using MlOps.Agent.Inventory;

namespace MlOps.Agent.Tests.Inventory;

public sealed class InventoryCommandTests
{
    [Fact]
    public void Run_NodeWithoutNvidiaDriver_PrintsCapacityWithNoGpusAndExitsZero()
    {
        using var output = new StringWriter();

        var exitCode = InventoryCommand.Run(output);

        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(output.ToString());
        var capacity = json.RootElement.GetProperty("capacity");
        Assert.True(capacity.GetProperty("cpuCores").GetInt32() > 0);
        Assert.True(long.Parse(capacity.GetProperty("memoryMb").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal(0, capacity.GetProperty("gpus").GetArrayLength());
        Assert.Equal(0, json.RootElement.GetProperty("gpuHealth").GetArrayLength());
        Assert.Contains("libnvidia-ml", json.RootElement.GetProperty("gpuProblem").GetString(), StringComparison.Ordinal);
    }
}
