using MlOps.Cli;

using var signals = ShutdownSignal.Register();
return await CliApp.RunAsync(args, CliEnvironment.FromConsole(signals.Forced), signals.Token);
