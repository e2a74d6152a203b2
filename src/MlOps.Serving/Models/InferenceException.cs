namespace MlOps.Serving.Models;

/// <summary>Why an inference call failed; the protocol layers map it to a gRPC status and an HTTP code.</summary>
public enum InferenceErrorKind
{
    /// <summary>Bad tensor name, datatype, shape, byte length or batch size (gRPC INVALID_ARGUMENT, HTTP 400).</summary>
    InvalidArgument,

    /// <summary>Unknown model or version (NOT_FOUND, 404).</summary>
    NotFound,

    /// <summary>The version exists but is not ready (loading, warming, draining) (UNAVAILABLE, 503).</summary>
    Unavailable,

    /// <summary>The version's queue is full (RESOURCE_EXHAUSTED, 429).</summary>
    ResourceExhausted,

    /// <summary>The model failed to run (INTERNAL, 500).</summary>
    Internal,
}

/// <summary>An inference failure with a message that names the offending tensor, model or limit.</summary>
public sealed class InferenceException(InferenceErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public InferenceErrorKind Kind { get; } = kind;
}
