namespace MlOps.Serving.Protocol.Rest;

/// <summary>A REST request refused before it reaches a model for a reason with its own HTTP code (413, 415).</summary>
internal sealed class RestRequestException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}
