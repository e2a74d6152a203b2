using Microsoft.Extensions.Logging;

namespace MlOps.Serving.Hosting;

/// <summary>Log messages of the model host; event ids 3100-3199.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Model {Name} version {Version} ready on {Provider} ({Threads} intra-op threads, max batch {MaxBatchSize}), digest {Digest}, session {SessionMs} ms, warm-up {WarmUpMs} ms")]
    public static partial void Ready(ILogger logger, string name, string version, string provider, int threads, int maxBatchSize, string digest, long sessionMs, long warmUpMs);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Model {Name} version {Version}: CUDA execution provider unavailable, falling back to CPU: {Cause}. To fix: {Fix}. ONNX Runtime said: {Reason}")]
    public static partial void CudaFallback(ILogger logger, string name, string version, string cause, string fix, string reason);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Model {Name} version {Version} runs on CPU: this ONNX Runtime build offers {Providers}")]
    public static partial void CudaNotOffered(ILogger logger, string name, string version, string providers);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "Model {Name} version {Version}: a batch of {Rows} row(s) from {Requests} request(s) failed")]
    public static partial void BatchFailed(ILogger logger, Exception exception, string name, string version, int rows, int requests);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Error, Message = "Model {Name} version {Version}: unexpected fault in the batching loop; it keeps running")]
    public static partial void BatcherFault(ILogger logger, Exception exception, string name, string version);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Information, Message = "Model {Name} version {Version} released after draining its queue")]
    public static partial void Released(ILogger logger, string name, string version);

    [LoggerMessage(EventId = 3110, Level = LogLevel.Information, Message = "Loading model {Name} version {Version} from {Path}")]
    public static partial void Loading(ILogger logger, string name, string version, string path);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Warning, Message = "Model {Name} version {Version} failed to load: {Reason}")]
    public static partial void LoadFailed(ILogger logger, string name, string version, string reason);

    [LoggerMessage(EventId = 3112, Level = LogLevel.Information, Message = "Unloading model {Name} version {Version}: removed from routing, draining")]
    public static partial void Unloading(ILogger logger, string name, string version);
}
