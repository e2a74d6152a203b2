using System.Runtime.InteropServices;
using MlOps.Serving.Hosting;
using MlOps.Serving.Models;
using MlOps.Serving.Tests.Hosting.Support;
using MlOps.Testing;

namespace MlOps.Serving.Tests.Hosting;

/// <summary>Each malformed request is refused with InvalidArgument before it is queued, naming the tensor and the mismatch.</summary>
public sealed class RequestValidationTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("serving-validation");
    private OnnxModelVersion _model = null!;

    public async Task InitializeAsync()
    {
        var (path, digest) = TestModels.Write(TestModels.TwoHeads(), _directory.Combine("heads.onnx"));
        _model = await OnnxModelVersion.LoadAsync(path, digest, "heads", "1");
    }

    public async Task DisposeAsync()
    {
        await _model.DisposeAsync();
        _directory.Dispose();
    }

    [Theory]
    [InlineData("unknown-input", "has no input 'c'; its inputs are: a, b")]
    [InlineData("missing-input", "input 'b' is missing")]
    [InlineData("duplicate-input", "input 'a' is given more than once")]
    [InlineData("datatype", "input 'b': datatype FP64 does not match the model's FP32")]
    [InlineData("rank", "input 'b': shape [3] has rank 1; the model expects rank 2 [-1,3]")]
    [InlineData("dimension", "input 'b': shape [1,4] does not match the model's [-1,3] at dimension 1 (expected 3, got 4)")]
    [InlineData("byte-length", "input 'b': FP32 [1,3] needs 12 bytes (3 elements × 4), got 8")]
    [InlineData("batch-mismatch", "input 'b' has batch size 2, input 'a' has 1")]
    [InlineData("zero-batch", "dimension 0 of shape [0,3] must be at least 1")]
    [InlineData("over-size", "batch size 65 exceeds the maximum batch size 64 of model 'heads' version '1'")]
    [InlineData("requested-output", "requested output 'nope' is not an output of model 'heads' version '1'; its outputs are: sum, product")]
    public async Task InferAsync_MalformedRequest_InvalidArgumentNamingTheProblem(string problem, string expected)
    {
        var a = Fp32("a", 1, 3);
        var request = problem switch
        {
            "unknown-input" => Request(a, Fp32("b", 1, 3), Fp32("c", 1, 3)),
            "missing-input" => Request(a),
            "duplicate-input" => Request(a, a, Fp32("b", 1, 3)),
            "datatype" => Request(a, new InferenceTensor("b", "FP64", [1, 3], new byte[24])),
            "rank" => Request(a, Fp32("b", 3)),
            "dimension" => Request(a, Fp32("b", 1, 4)),
            "byte-length" => Request(a, new InferenceTensor("b", "FP32", [1, 3], new byte[8])),
            "batch-mismatch" => Request(a, Fp32("b", 2, 3)),
            "zero-batch" => Request(Fp32("a", 0, 3), Fp32("b", 0, 3)),
            "over-size" => Request(Fp32("a", 65, 3), Fp32("b", 65, 3)),
            "requested-output" => Request(a, Fp32("b", 1, 3)) with { RequestedOutputs = ["sum", "nope"] },
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };

        var error = await Assert.ThrowsAsync<InferenceException>(() => _model.InferAsync(request, default).AsTask());

        Assert.Equal(InferenceErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(expected, error.Message);
        Assert.Equal((0L, 1L), (_model.Statistics.ExecutionCount, _model.Statistics.FailureCount));
    }

    private static InferenceRequest Request(params InferenceTensor[] inputs) => new("heads", "1", inputs);

    private static InferenceTensor Fp32(string name, params long[] shape)
    {
        var values = new float[shape.Aggregate(1L, (x, y) => x * y)];
        return new InferenceTensor(name, "FP32", shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    }
}
