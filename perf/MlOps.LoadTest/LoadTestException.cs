namespace MlOps.LoadTest;

/// <summary>A load test cannot start or go on: unreachable target, unknown model, bad dataset. The message says which.</summary>
public sealed class LoadTestException : Exception
{
    public LoadTestException(string message)
        : base(message)
    {
    }

    public LoadTestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
