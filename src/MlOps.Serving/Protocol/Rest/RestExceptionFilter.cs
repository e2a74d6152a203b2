using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MlOps.Serving.Models;

namespace MlOps.Serving.Protocol.Rest;

/// <summary>
/// Every REST failure as the protocol's <c>{"error": "..."}</c> with a specific status: the
/// <see cref="InferenceException"/> kind (400/404/429/503/500), 413 for an oversized body, 400 for malformed JSON.
/// </summary>
internal sealed class RestExceptionFilter(ILogger<RestExceptionFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var method = $"{http.Request.Method} {http.Request.Path}";
        try
        {
            return await next(context);
        }
        catch (InferenceException e)
        {
            if (e.Kind == InferenceErrorKind.Internal)
            {
                logger.ModelFailed("REST", method, e.Message);
            }
            else
            {
                logger.Rejected("REST", method, e.Kind, e.Message);
            }

            return RestResult.Error(ErrorMapping.ToHttp(e.Kind), e.Message);
        }
        catch (RestRequestException e)
        {
            logger.RejectedWithStatus("REST", method, e.StatusCode, e.Message);
            return RestResult.Error(e.StatusCode, e.Message);
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own body limit (413) or a malformed request body stream.
            return RestResult.Error(e.StatusCode, e.Message);
        }
        catch (JsonException e)
        {
            return RestResult.Error(StatusCodes.Status400BadRequest, $"the request body is not valid JSON: {e.Message}");
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty;
        }
        catch (Exception e)
        {
            logger.Unexpected("REST", method, e);
            return RestResult.Error(StatusCodes.Status500InternalServerError, $"internal error: {e.Message}");
        }
    }
}
