using MlOps.LoadTest.Transports;

namespace MlOps.LoadTest.Tests.Support;

/// <summary>
/// A test double for a server that answers at once, in process: the pacing tests measure the generator alone, so
/// no socket or server CPU may blur them. Counts what it was sent.
/// </summary>
internal sealed class InstantTransportForTests : ILoadTransport
{
    private long _sent;

    public long Sent => Interlocked.Read(ref _sent);

    public ValueTask<string?> SendAsync(int payload, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _sent);
        return ValueTask.FromResult<string?>(null);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
