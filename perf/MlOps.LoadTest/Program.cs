using MlOps.LoadTest.Cli;

// Socket completions run on the epoll thread instead of hopping to the thread pool: the generator shares the cores
// with the server, and the hop (a thread wake-up per response) was most of its CPU per request. The runtime reads
// this only from the environment, when the first socket is created, so it is set before anything opens one.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl-C stops the load and still writes what was measured; a second one kills the process.
    if (!cancel.IsCancellationRequested)
    {
        e.Cancel = true;
        cancel.Cancel();
    }
};
return await LoadTestCli.RunAsync(args, Console.Out, Console.Error, cancel.Token);
