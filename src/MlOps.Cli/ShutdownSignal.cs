using System.Runtime.InteropServices;

namespace MlOps.Cli;

/// <summary>
/// Turns the first SIGINT/SIGTERM/SIGHUP into <see cref="Token"/> so a command can finish cleanly (<c>up</c>
/// stops its children, <c>watch</c> returns), and the second into <see cref="Forced"/> (<c>up</c> kills its
/// children without waiting out the grace period). A third is left to the runtime's default, which ends the
/// process at once: a user pressing Ctrl-C three times means it.
/// </summary>
public sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly CancellationTokenSource _forced = new();
    private readonly List<PosixSignalRegistration> _registrations = [];

    private ShutdownSignal()
    {
    }

    public CancellationToken Token => _cts.Token;

    public CancellationToken Forced => _forced.Token;

    public static ShutdownSignal Register()
    {
        var signal = new ShutdownSignal();
        foreach (var posix in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            try
            {
                signal._registrations.Add(PosixSignalRegistration.Create(posix, signal.Handle));
            }
            catch (PlatformNotSupportedException)
            {
                // SIGHUP has no equivalent on Windows; Ctrl-C and Ctrl-Break still register.
            }
        }

        return signal;
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cts.Dispose();
        _forced.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        if (_forced.IsCancellationRequested)
        {
            return;
        }

        context.Cancel = true;
        (_cts.IsCancellationRequested ? _forced : _cts).Cancel();
    }
}
