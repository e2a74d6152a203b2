using System.Net;

namespace MlOps.Discovery;

/// <summary>
/// A Consul request that failed: Consul answered with an error status (<see cref="StatusCode"/> and its plain-text
/// <see cref="ConsulMessage"/>), or no answer came (connection error or timeout; <see cref="StatusCode"/> null) after
/// every retry.
/// </summary>
public class ConsulException : Exception
{
    public ConsulException(string message)
        : base(message)
    {
        Method = "";
        Path = "";
    }

    public ConsulException(string message, Exception innerException)
        : base(message, innerException)
    {
        Method = "";
        Path = "";
    }

    public ConsulException(string method, string path, HttpStatusCode? statusCode, string? consulMessage, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Method = method;
        Path = path;
        StatusCode = statusCode;
        ConsulMessage = consulMessage;
    }

    /// <summary>HTTP method of the failed request.</summary>
    public string Method { get; }

    /// <summary>Path of the failed request without its query (which never carries the token).</summary>
    public string Path { get; }

    /// <summary>Consul's status, or null when no answer came.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>Consul's error text as sent: Consul 1.8 answers errors in plain text, not JSON.</summary>
    public string? ConsulMessage { get; }

    /// <summary>True when Consul refused the token: 403, which Consul also uses for "ACL not found".</summary>
    public bool IsPermissionDenied => StatusCode == HttpStatusCode.Forbidden;
}

/// <summary>A session renewal answered 404: the session was destroyed or expired, and its locks are gone.</summary>
public sealed class ConsulSessionExpiredException : ConsulException
{
    public ConsulSessionExpiredException(string message)
        : base(message)
    {
    }

    public ConsulSessionExpiredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ConsulSessionExpiredException(string sessionId, ConsulException notFound)
        : base(notFound.Method, notFound.Path, notFound.StatusCode, notFound.ConsulMessage,
            $"Consul session {sessionId} no longer exists (destroyed or expired)", notFound)
    {
        SessionId = sessionId;
    }

    public string? SessionId { get; }
}
