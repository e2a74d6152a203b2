using Google.Protobuf;
using Grpc.Core;
using MlOps.Serving.Models;
using MlOps.Contracts.Inference;
using MlOps.Serving.Tests.Protocol.Support;
using static MlOps.Serving.Tests.Protocol.Support.ProtocolRequests;

namespace MlOps.Serving.Tests.Protocol.Grpc;

/// <summary>Every datatype through a real channel: typed contents and raw bytes both reach the model as the same raw bytes.</summary>
public sealed class GrpcDataTypeTests : IAsyncLifetime
{
    private OpenInferenceTestServer _server = null!;

    public async Task InitializeAsync()
    {
        var repository = new InMemoryRepositoryForTests();
        foreach (var sample in DataTypeSample.All)
        {
            repository.Add(new IdentityModelForTests(Model(sample.DataType), new TensorSpec("x", sample.DataType, [3])));
        }

        _server = await OpenInferenceTestServer.StartAsync(repository);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [MemberData(nameof(DataTypeSample.Names), MemberType = typeof(DataTypeSample))]
    public async Task ModelInfer_TypedContents_ModelSeesLittleEndianRawBytes(string dataType)
    {
        var sample = DataTypeSample.Of(dataType);
        if (sample.Typed is null)
        {
            return; // FP16 and BF16 have no typed field; the raw test covers them.
        }

        var request = new ModelInferRequest { ModelName = Model(dataType) };
        var input = Input("x", dataType, 3);
        input.Contents = sample.Typed;
        request.Inputs.Add(input);

        var response = await _server.Client.ModelInferAsync(request);

        Assert.Equal(dataType, response.Outputs[0].Datatype);
        Assert.Equal(sample.Raw, response.RawOutputContents[0].ToByteArray());
    }

    [Theory]
    [MemberData(nameof(DataTypeSample.Names), MemberType = typeof(DataTypeSample))]
    public async Task ModelInfer_RawContents_ReturnedUnchanged(string dataType)
    {
        var sample = DataTypeSample.Of(dataType);
        var request = new ModelInferRequest { ModelName = Model(dataType) };
        request.Inputs.Add(Input("x", dataType, 3));
        request.RawInputContents.Add(ByteString.CopyFrom(sample.Raw));

        var response = await _server.Client.ModelInferAsync(request);

        Assert.Equal(sample.Raw, response.RawOutputContents[0].ToByteArray());
    }

    [Theory]
    [InlineData("INT8", 128)]
    [InlineData("INT8", -129)]
    [InlineData("INT16", 40000)]
    [InlineData("UINT8", 256)]
    [InlineData("UINT16", 70000)]
    public async Task ModelInfer_TypedValueOutOfRange_InvalidArgumentNamingElement(string dataType, long value)
    {
        var request = new ModelInferRequest { ModelName = Model(dataType) };
        var input = Input("x", dataType, 3);
        input.Contents = new InferTensorContents();
        if (dataType.StartsWith('U'))
        {
            input.Contents.UintContents.AddRange([0, 0, (uint)value]);
        }
        else
        {
            input.Contents.IntContents.AddRange([0, 0, (int)value]);
        }

        request.Inputs.Add(input);

        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Client.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal($"input 'x' element 2 ({value}) is out of range for {dataType}", error.Status.Detail);
    }

    private static string Model(string dataType) => "identity-" + dataType.ToLowerInvariant();
}
