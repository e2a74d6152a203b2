using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Grpc.Core;
using MlOps.Artifacts;
using MlOps.Core.Jobs;

namespace MlOps.Coordinator.Api;

/// <summary>
/// The coordinator's gRPC errors. Bad input is <c>INVALID_ARGUMENT</c> whose detail lists every bad field as
/// <c>field: message; field: message</c>, with the same list as JSON (<c>[{"field":..,"message":..}]</c>) in
/// the trailer <see cref="FieldErrorsTrailer"/> for clients that want to point at each field.
/// </summary>
internal static class RpcErrors
{
    /// <summary>Trailer carrying the field errors as a JSON array of <c>{field, message}</c>.</summary>
    public const string FieldErrorsTrailer = "x-mlops-field-errors";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static RpcException InvalidArgument(IReadOnlyList<FieldError> errors)
    {
        // The default encoder escapes every non-ASCII character, which keeps the trailer a valid ASCII header value.
        var trailers = new Metadata { { FieldErrorsTrailer, JsonSerializer.Serialize(errors, Json) } };
        return new RpcException(new Status(StatusCode.InvalidArgument, string.Join("; ", errors)), trailers);
    }

    [DoesNotReturn]
    public static void ThrowInvalidArgument(string field, string message) =>
        throw InvalidArgument([new FieldError(field, message)]);

    /// <summary>Throws <c>NOT_FOUND</c>; typed so it can stand where a value is expected (<c>?? ThrowNotFound&lt;Job&gt;(...)</c>).</summary>
    [DoesNotReturn]
    public static T ThrowNotFound<T>(string field, string message) =>
        throw new RpcException(new Status(StatusCode.NotFound, $"{field}: {message}"));

    [DoesNotReturn]
    public static T ThrowFailedPrecondition<T>(string field, string message) =>
        throw new RpcException(new Status(StatusCode.FailedPrecondition, $"{field}: {message}"));

    [DoesNotReturn]
    public static void ThrowUnavailable(string message) =>
        throw new RpcException(new Status(StatusCode.Unavailable, message));

    /// <summary>
    /// The status for an artifact store error: NOT_FOUND, DATA_LOSS for stored bytes that fail their digest, INVALID_ARGUMENT for refused content,
    /// UNAVAILABLE when the store cannot be reached, PERMISSION_DENIED when a registry refuses the coordinator's
    /// credentials. The store's message names the repository and digest.
    /// </summary>
    public static RpcException FromArtifactError(ArtifactException error) => new(new Status(error switch
    {
        ArtifactNotFoundException => StatusCode.NotFound,
        ArtifactCorruptException => StatusCode.DataLoss,
        ArtifactInvalidException => StatusCode.InvalidArgument,
        ArtifactAuthenticationException => StatusCode.PermissionDenied,
        _ => StatusCode.Unavailable,
    }, error.Message));

    /// <summary>Checks that a required id field is set.</summary>
    public static void RequireId(string value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            ThrowInvalidArgument(field, "is required");
        }
    }
}
