using MlOps.Agent.Inventory;
using MlOps.Agent.Jobs;
using MlOps.Agent.Tests.Inventory;

namespace MlOps.Agent.Tests.Jobs;

public sealed class GpuPinsTests
{
    [Fact]
    public void Pin_TwoJobs_GetDisjointHealthyGpusLowestIndexFirst()
    {
        var nvml = new FakeNvmlForTests(4);
        nvml.Samples[0] = nvml.Samples[0] with { EccUncorrected = 1 };
        var gpus = new GpuHealthMonitor(nvml).Read();
        var pins = new GpuPins();

        var (first, _) = pins.Pin("a", 1, 2, gpus);
        var (second, _) = pins.Pin("b", 1, 1, gpus);

        Assert.Equal(["GPU-fake-1", "GPU-fake-2"], first);
        Assert.Equal(["GPU-fake-3"], second);
    }

    [Fact]
    public void Pin_NotEnoughFreeHealthyGpus_SaysWhy()
    {
        var nvml = new FakeNvmlForTests(2);
        nvml.Samples.Remove(1);
        var gpus = new GpuHealthMonitor(nvml).Read();
        var pins = new GpuPins();
        pins.Pin("a", 1, 1, gpus);

        var (uuids, problem) = pins.Pin("b", 1, 1, gpus);

        Assert.Null(uuids);
        Assert.Equal("the job needs 1 GPU(s) but this agent has 2 GPU(s), 1 healthy, 1 of them pinned to other jobs " +
            "(the coordinator should not have sent it here)", problem);
    }

    [Fact]
    public void Release_EndedAttempt_FreesItsGpusButNotANewerAttempts()
    {
        var gpus = new GpuHealthMonitor(new FakeNvmlForTests(1)).Read();
        var pins = new GpuPins();
        pins.Pin("a", 1, 1, gpus);
        pins.Pin("a", 2, 1, gpus); // a newer attempt takes over the job's GPU

        pins.Release("a", 1);

        Assert.Equal(["GPU-fake-0"], pins.Of("a"));
        pins.Release("a", 2);
        Assert.Empty(pins.Of("a"));
        Assert.NotNull(pins.Pin("b", 1, 1, gpus).Uuids);
    }
}
