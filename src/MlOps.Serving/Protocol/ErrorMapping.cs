using Grpc.Core;
using Microsoft.AspNetCore.Http;
using MlOps.Serving.Models;

namespace MlOps.Serving.Protocol;

/// <summary>The one place where <see cref="InferenceErrorKind"/> becomes a gRPC status and an HTTP code.</summary>
internal static class ErrorMapping
{
    public static StatusCode ToGrpc(InferenceErrorKind kind) => kind switch
    {
        InferenceErrorKind.InvalidArgument => StatusCode.InvalidArgument,
        InferenceErrorKind.NotFound => StatusCode.NotFound,
        InferenceErrorKind.Unavailable => StatusCode.Unavailable,
        InferenceErrorKind.ResourceExhausted => StatusCode.ResourceExhausted,
        _ => StatusCode.Internal,
    };

    public static int ToHttp(InferenceErrorKind kind) => kind switch
    {
        InferenceErrorKind.InvalidArgument => StatusCodes.Status400BadRequest,
        InferenceErrorKind.NotFound => StatusCodes.Status404NotFound,
        InferenceErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        InferenceErrorKind.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static RpcException ToRpcException(InferenceException exception) =>
        new(new Status(ToGrpc(exception.Kind), exception.Message));
}
