using System.Diagnostics;
using MlOps.LoadTest.Scenarios;

namespace MlOps.LoadTest.Running;

/// <summary>N virtual users in closed loops: send, wait for the answer, think, send again.</summary>
internal static class ClosedModel
{
    public static Task RunAsync(RunState run, ClosedLoad load)
    {
        var users = new Task[load.Users];
        for (var u = 0; u < users.Length; u++)
        {
            var user = u;
            users[u] = Task.Run(() => UserAsync(run, load, user));
        }

        return Task.WhenAll(users);
    }

    private static async Task UserAsync(RunState run, ClosedLoad load, int user)
    {
        // Users start on different payloads and stride by the user count, so they do not send the same bytes.
        var payload = user % run.PayloadCount;
        while (true)
        {
            var start = Stopwatch.GetTimestamp();
            if (!run.TryStartRequest(start))
            {
                return;
            }

            var error = await run.Transport.SendAsync(payload, CancellationToken.None).ConfigureAwait(false);
            run.Recorder.Record(start, Stopwatch.GetTimestamp(), error);
            payload = (payload + load.Users) % run.PayloadCount;
            if (load.ThinkTime > TimeSpan.Zero)
            {
                await Task.Delay(load.ThinkTime).ConfigureAwait(false);
            }
        }
    }
}
