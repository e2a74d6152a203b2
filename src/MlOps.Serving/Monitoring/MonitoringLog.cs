using Microsoft.Extensions.Logging;

namespace MlOps.Serving.Monitoring;

/// <summary>Log messages of live profiling; event ids 3200-3209.</summary>
internal static partial class MonitoringLog
{
    [LoggerMessage(EventId = 3200, Level = LogLevel.Information, Message = "Model {Name} version {Version}: live profile against reference {Digest} ({Height}x{Width} images, {Classes} classes), every {SampleEvery} request(s) sampled")]
    public static partial void Profiling(ILogger logger, string name, string version, string digest, int height, int width, int classes, int sampleEvery);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Model {Name} version {Version}: reference profile {Path} is unusable, serving without live statistics: {Reason}")]
    public static partial void ProfileUnusable(ILogger logger, string name, string version, string path, string reason);
}
