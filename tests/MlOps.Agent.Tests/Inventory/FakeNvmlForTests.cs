using MlOps.Agent.Inventory;
using MlOps.Contracts;

namespace MlOps.Agent.Tests.Inventory;

/// <summary>A test double of NVML: GPUs, their readings and pending Xid events, set by the test.</summary>
internal sealed class FakeNvmlForTests : INvml
{
    private readonly List<XidEvent> _pendingXids = [];

    public FakeNvmlForTests(int gpus)
    {
        Devices = [.. Enumerable.Range(0, gpus).Select(i => new GpuInfo { Index = i, Uuid = $"GPU-fake-{i}", Model = "Fake H100", MemoryMb = 81559 })];
        foreach (var gpu in Devices)
        {
            Samples[gpu.Index] = new GpuSample(
                MemoryUsedMb: 1024, MemoryFreeMb: 80535, UtilizationPercent: 10, TemperatureC: 40, PowerMilliwatts: 70_000, EccUncorrected: 0, XidWatched: true);
        }
    }

    public IReadOnlyList<GpuInfo> Devices { get; }

    public string? Problem { get; set; }

    /// <summary>Readings by index; a missing entry is a GPU NVML no longer answers for.</summary>
    public Dictionary<int, GpuSample> Samples { get; } = [];

    public void RaiseXid(int index, int code) => _pendingXids.Add(new XidEvent(index, code));

    public GpuSample? Sample(int index) => Samples.GetValueOrDefault(index);

    public IReadOnlyList<XidEvent> DrainXidEvents()
    {
        var events = _pendingXids.ToList();
        _pendingXids.Clear();
        return events;
    }
}
