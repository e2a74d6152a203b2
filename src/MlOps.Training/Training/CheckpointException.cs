namespace MlOps.Training;

/// <summary>
/// A checkpoint file cannot be used: it is not a checkpoint, has an unknown format version, is truncated or corrupt
/// (digest mismatch), belongs to another run (the differing fields are named), or its state does not fit the model or
/// optimizer (the parameter is named). The message always names the file.
/// </summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException(string filePath, string problem, Exception? innerException = null)
        : base($"checkpoint {filePath}: {problem}", innerException)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The checkpoint file.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Problem { get; }
}
