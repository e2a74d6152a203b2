using MlOps.LoadTest.Cli;

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
