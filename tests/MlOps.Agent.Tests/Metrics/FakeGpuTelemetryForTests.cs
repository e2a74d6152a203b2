using MlOps.Agent.Metrics;

namespace MlOps.Agent.Tests.Metrics;

/// <summary>A test double for NVML: returns the readings it was given, as if the driver had reported them.</summary>
internal sealed class FakeGpuTelemetryForTests(params GpuReading[] readings) : IGpuTelemetry
{
    public IReadOnlyList<GpuReading> Read() => readings;
}
