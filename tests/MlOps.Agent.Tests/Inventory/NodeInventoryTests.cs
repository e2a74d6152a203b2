using MlOps.Agent.Inventory;
using MlOps.Agent.Options;

namespace MlOps.Agent.Tests.Inventory;

public sealed class NodeInventoryTests
{
    [Fact]
    public void Read_TwoGpus_CapacityListsThemWithNoProblem()
    {
        var nvml = new FakeNvmlForTests(2);

        var (capacity, problem) = NodeInventory.Read(new AgentOptions { CpuCores = 8, MemoryMb = 4096 }, nvml);

        Assert.Equal((8, 4096L), (capacity.CpuCores, capacity.MemoryMb));
        Assert.Equal(nvml.Devices, capacity.Gpus);
        Assert.All(capacity.Gpus, gpu => Assert.DoesNotContain(gpu, nvml.Devices, ReferenceEqualityComparer.Instance));
        Assert.Null(problem);
    }

    [Fact]
    public void Read_NvmlDidNotAnswer_NoGpusAndItsProblem()
    {
        var nvml = new FakeNvmlForTests(0) { Problem = "nvmlInit_v2 returned 9" };

        var (capacity, problem) = NodeInventory.Read(new AgentOptions(), nvml);

        Assert.Empty(capacity.Gpus);
        Assert.True(capacity.CpuCores > 0);
        Assert.Equal("nvmlInit_v2 returned 9", problem);
    }

    [Fact]
    public void Read_NoNvidiaDriver_NoGpusAndNotFound()
    {
        using var nvml = new NvmlDevices();

        var (capacity, problem) = NodeInventory.Read(new AgentOptions(), nvml);

        Assert.Empty(capacity.Gpus);
        Assert.Equal("libnvidia-ml not found (no NVIDIA driver on this node)", problem);
    }
}
