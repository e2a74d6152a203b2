using MlOps.Agent.Discovery;
using MlOps.Contracts;

namespace MlOps.Agent.Tests.Discovery;

/// <summary>TEST DOUBLE of the serving reconciler's view: the test sets the READY versions and raises the change.</summary>
internal sealed class FakeServingViewForTests : IServingView
{
    private readonly Lock _lock = new();
    private List<ReadyVersion> _ready = [];

    public ServingAddresses? Addresses { get; set; } = new() { GrpcAddress = "http://10.0.0.7:8001", RestAddress = "http://10.0.0.7:8000" };

    public event EventHandler? Changed;

    public IReadOnlyList<ReadyVersion> ReadyVersions()
    {
        lock (_lock)
        {
            return [.. _ready];
        }
    }

    /// <summary>Sets the READY versions and raises <see cref="Changed"/>, as the reconciler does.</summary>
    public void SetReady(params ReadyVersion[] versions)
    {
        lock (_lock)
        {
            _ready = [.. versions];
            Changed?.Invoke(this, EventArgs.Empty);
        }
    }
}
