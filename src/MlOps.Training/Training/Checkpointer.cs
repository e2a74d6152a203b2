using System.Globalization;
using static TorchSharp.torch;

namespace MlOps.Training;

/// <summary>
/// Decides when a checkpoint is due (every N steps, every interval on the trainer's clock), writes it into the
/// checkpoint directory as <c>checkpoint-&lt;global step&gt;.ckpt</c>, deletes the older ones and tells the observer.
/// </summary>
internal sealed class Checkpointer(TrainingRequest request, ITrainingObserver observer, TimeProvider time)
{
    public const string FilePrefix = "checkpoint-";
    public const string FileExtension = ".ckpt";

    private readonly string _directory = request.CheckpointDirectoryOrDefault();
    private long _since = time.GetTimestamp();
    private CheckpointInfo? _last;

    public static string FileName(long globalStep) => $"{FilePrefix}{globalStep.ToString("D9", CultureInfo.InvariantCulture)}{FileExtension}";

    /// <summary>True at a step boundary where the request asks for a checkpoint.</summary>
    public bool IsDue(long globalStep) =>
        (request.CheckpointEverySteps > 0 && globalStep % request.CheckpointEverySteps == 0) ||
        (request.CheckpointEvery is { } every && time.GetElapsedTime(_since) >= every);

    /// <summary>Writes a checkpoint (or returns the one just written at this very step), then keeps only it.</summary>
    public CheckpointInfo Write(CheckpointHeader header, nn.Module model, optim.Optimizer optimizer)
    {
        if (_last is { } last && last.GlobalStep == header.GlobalStep)
        {
            return last;
        }

        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, FileName(header.GlobalStep));
        var (bytes, digest) = CheckpointFile.Write(
            path, header, CheckpointState.SaveModel(model), CheckpointState.SaveOptimizer(optimizer), CheckpointState.SaveRng());
        DeleteOlder(path);

        _since = time.GetTimestamp();
        _last = new CheckpointInfo(path, header.Epoch, header.Step, header.GlobalStep, bytes, digest);
        observer.OnCheckpoint(_last);
        return _last;
    }

    private void DeleteOlder(string keep)
    {
        foreach (var file in Directory.EnumerateFiles(_directory, $"{FilePrefix}*{FileExtension}"))
        {
            if (string.Equals(Path.GetFullPath(file), Path.GetFullPath(keep), StringComparison.Ordinal))
            {
                continue;
            }

            try
            {
                File.Delete(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The new checkpoint is safely written; a stale one left behind costs disk, not correctness.
                observer.OnLog($"could not delete old checkpoint {file}: {ex.Message}");
            }
        }
    }
}
