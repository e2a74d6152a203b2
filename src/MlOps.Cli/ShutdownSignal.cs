using System.Runtime.InteropServices;

namespace MlOps.Cli;

/// <summary>
/// Turns the first SIGINT/SIGTERM/SIGHUP into a cancelled token so a command can finish cleanly (<c>up</c>
/// stops its children, <c>watch</c> returns). A second signal is left to the runtime's default, which ends
/// the process at once: a user pressing Ctrl-C twice means it.
/// </summary>
public sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly List<PosixSignalRegistration> _registrations = [];

    private ShutdownSignal()
    {
    }

    public CancellationToken Token => _cts.Token;

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
    }

    private void Handle(PosixSignalContext context)
    {
        if (_cts.IsCancellationRequested)
        {
            return;
        }

        context.Cancel = true;
        _cts.Cancel();
    }
}
