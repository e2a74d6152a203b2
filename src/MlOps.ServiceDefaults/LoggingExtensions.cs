using Microsoft.Extensions.Hosting;
using Serilog;
using Serilog.Events;

namespace MlOps.ServiceDefaults;

/// <summary>Logging shared by the coordinator and the agent: Serilog, structured, to the console and to a rolling file.</summary>
public static class LoggingExtensions
{
    /// <summary>
    /// Replaces the default providers with Serilog. Console output is human-readable; the file (when
    /// <paramref name="logDirectory"/> is set) rolls daily and at 50 MB, keeping 14 files. Levels and extra
    /// sinks can be set under the <c>Serilog</c> configuration section.
    /// </summary>
    public static IHostApplicationBuilder AddMlOpsLogging(this IHostApplicationBuilder builder, string serviceName, string? logDirectory)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("Grpc", LogEventLevel.Warning)
            // The loops that call Consul (agent registration, the coordinator's health watch) log its failures
            // themselves, throttled; the client's warning per retry would repeat them every few seconds of an outage.
            .MinimumLevel.Override("MlOps.Discovery.ConsulClient", LogEventLevel.Error)
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Service", serviceName)
            .WriteTo.Console(
                outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Service}: {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: LogEventLevel.Verbose);

        if (!string.IsNullOrEmpty(logDirectory))
        {
            Directory.CreateDirectory(logDirectory);
            configuration.WriteTo.File(
                Path.Combine(logDirectory, serviceName + "-.log"),
                rollingInterval: RollingInterval.Day,
                fileSizeLimitBytes: 50L * 1024 * 1024,
                rollOnFileSizeLimit: true,
                retainedFileCountLimit: 14,
                outputTemplate: "{Timestamp:o} [{Level:u3}] {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}");
        }

        Log.Logger = configuration.CreateLogger();
        builder.Services.AddSerilog(Log.Logger, dispose: true);
        return builder;
    }
}
