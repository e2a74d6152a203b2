namespace MlOps.Client.Inference.Inputs;

/// <summary>
/// An inference input that cannot be built: a JSON request file with a bad field, or a model input that cannot
/// take an image. <see cref="Field"/> names the offending place (<c>inputs[0].data[17]</c>, <c>input 'x'</c>),
/// and the message starts with it, so a command line can print the message as it is.
/// </summary>
public sealed class InferenceInputException : Exception
{
    /// <summary>Creates the exception; the message is <c>"{field}: {problem}"</c>.</summary>
    public InferenceInputException(string field, string problem, Exception? innerException = null)
        : base($"{field}: {problem}", innerException)
    {
        Field = field;
        Problem = problem;
    }

    /// <summary>Where the problem is, e.g. <c>inputs[0].shape</c>.</summary>
    public string Field { get; }

    /// <summary>What is wrong there, without the field.</summary>
    public string Problem { get; }
}
