using MlOps.Agent.Inventory;

namespace MlOps.Agent.Tests.Inventory;

public sealed class GpuHealthMonitorTests
{
    [Fact]
    public void Read_GpusWithoutFaults_AreHealthyWithTheirReadings()
    {
        var monitor = new GpuHealthMonitor(new FakeNvmlForTests(2));

        var gpus = monitor.Read();

        Assert.Equal(2, gpus.Count);
        Assert.All(gpus, g => Assert.True(g.Healthy, g.Problem));
        Assert.Equal(("GPU-fake-1", 1024L, 10, 40, 0L, 0L, 0), (gpus[1].Uuid, gpus[1].MemoryUsedMb, gpus[1].UtilizationPercent,
            gpus[1].TemperatureC, gpus[1].EccUncorrectedErrors, gpus[1].XidErrors, gpus[1].LastXid));
    }

    [Fact]
    public void Read_UncorrectedEccErrors_MakeTheGpuUnhealthy()
    {
        var nvml = new FakeNvmlForTests(2);
        nvml.Samples[1] = nvml.Samples[1] with { EccUncorrected = 3 };

        var gpus = new GpuHealthMonitor(nvml).Read();

        Assert.True(gpus[0].Healthy);
        Assert.False(gpus[1].Healthy);
        Assert.Equal("3 uncorrected ECC error(s)", gpus[1].Problem);
    }

    [Fact]
    public void Read_CriticalXid_MakesTheGpuUnhealthyAndItStaysSo()
    {
        var nvml = new FakeNvmlForTests(2);
        var monitor = new GpuHealthMonitor(nvml);
        nvml.RaiseXid(0, 79); // fallen off the bus

        var first = monitor.Read();
        var later = monitor.Read();

        Assert.False(first[0].Healthy);
        Assert.Contains("critical Xid 79", first[0].Problem, StringComparison.Ordinal);
        Assert.Equal((1L, 79), (first[0].XidErrors, first[0].LastXid));
        Assert.False(later[0].Healthy);
        Assert.True(later[1].Healthy);
    }

    [Theory]
    [InlineData(13)]
    [InlineData(31)]
    [InlineData(43)]
    [InlineData(45)]
    public void Read_ApplicationCausedXid_IsCountedButKeepsTheGpuHealthy(int code)
    {
        var nvml = new FakeNvmlForTests(1);
        var monitor = new GpuHealthMonitor(nvml);
        nvml.RaiseXid(0, code);

        var gpu = Assert.Single(monitor.Read());

        Assert.True(gpu.Healthy, gpu.Problem);
        Assert.Equal((1L, code), (gpu.XidErrors, gpu.LastXid));
    }

    [Fact]
    public void Read_NvmlStopsAnsweringForAGpu_ItIsUnhealthyWithUnknownReadings()
    {
        var nvml = new FakeNvmlForTests(2);
        nvml.Samples.Remove(1);

        var gpu = new GpuHealthMonitor(nvml).Read()[1];

        Assert.False(gpu.Healthy);
        Assert.Equal("NVML no longer answers for this GPU", gpu.Problem);
        Assert.Equal((-1L, -1, -1, -1L, -1L), (gpu.MemoryUsedMb, gpu.UtilizationPercent, gpu.TemperatureC, gpu.EccUncorrectedErrors, gpu.XidErrors));
    }

    [Fact]
    public void Read_ValuesTheDriverCannotGive_AreMinusOneAndNotAFault()
    {
        var nvml = new FakeNvmlForTests(1);
        nvml.Samples[0] = new GpuSample(512, -1, -1, -1, -1, -1, XidWatched: false);

        var gpu = Assert.Single(new GpuHealthMonitor(nvml).Read());

        Assert.True(gpu.Healthy, gpu.Problem);
        Assert.Equal((-1, -1, -1L, -1L), (gpu.UtilizationPercent, gpu.TemperatureC, gpu.EccUncorrectedErrors, gpu.XidErrors));
    }

    [Fact]
    public void Read_NoNvml_IsNoGpus()
    {
        using var nvml = new NvmlDevices();

        Assert.Empty(new GpuHealthMonitor(nvml).Read());
    }
}
