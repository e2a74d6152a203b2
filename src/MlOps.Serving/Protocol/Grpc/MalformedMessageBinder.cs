using Google.Protobuf;
using Grpc.Core;

namespace MlOps.Serving.Protocol.Grpc;

/// <summary>
/// Binds the generated service methods with request deserializers that turn a malformed protobuf message into
/// INVALID_ARGUMENT. Without it the framework answers bytes that are not a valid request with UNKNOWN ("Exception was
/// thrown by handler") and logs an error, because deserialization runs before any interceptor.
/// </summary>
internal sealed class MalformedMessageBinder(ServiceBinderBase inner) : ServiceBinderBase
{
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Wrap(method), handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Wrap(method), handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Wrap(method), handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Wrap(method), handler);

    private static Method<TRequest, TResponse> Wrap<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class
    {
        var deserialize = method.RequestMarshaller.ContextualDeserializer;
        var marshaller = Marshallers.Create(
            method.RequestMarshaller.ContextualSerializer,
            context =>
            {
                try
                {
                    return deserialize(context);
                }
                catch (InvalidProtocolBufferException e)
                {
                    throw new RpcException(new Status(
                        StatusCode.InvalidArgument, $"the {typeof(TRequest).Name} message is not valid protobuf: {e.Message}"));
                }
            });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, marshaller, method.ResponseMarshaller);
    }
}
