using Grpc.Core;

namespace MlOps.ServingBench;

/// <summary>A response seen only as bytes: its length, and whether it carries an error.</summary>
internal sealed record LeanResponse(int Length, bool IsError);

/// <summary>
/// <c>ModelInfer</c> and <c>ModelStreamInfer</c> with marshallers that pass pre-serialized request bytes through and
/// do not parse responses, as a load generator written for speed (perf_analyzer) does: the load generator shares the
/// 2 cores with the server, so its own CPU per request matters. A streamed response whose first field is
/// <c>error_message</c> (field 1, length-delimited: tag byte 0x0A) is an error; proto3 omits an empty one.
/// </summary>
internal static class LeanClient
{
    private const string Service = "inference.GRPCInferenceService";

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    private static readonly Marshaller<LeanResponse> StreamResponse =
        Marshallers.Create<LeanResponse>(_ => throw new NotSupportedException(), b => new LeanResponse(b.Length, b.Length > 0 && b[0] == 0x0A));

    private static readonly Marshaller<LeanResponse> UnaryResponse =
        Marshallers.Create<LeanResponse>(_ => throw new NotSupportedException(), b => new LeanResponse(b.Length, false));

    public static readonly Method<byte[], LeanResponse> Unary = new(MethodType.Unary, Service, "ModelInfer", Bytes, UnaryResponse);

    public static readonly Method<byte[], LeanResponse> Stream = new(MethodType.DuplexStreaming, Service, "ModelStreamInfer", Bytes, StreamResponse);
}
