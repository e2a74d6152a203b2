using Microsoft.ML.OnnxRuntime;
using MlOps.Serving.Hosting;
using MlOps.Serving.Hosting.Batching;
using MlOps.Serving.Models;
using MlOps.Serving.Tests.Hosting.Support;

namespace MlOps.Serving.Tests.Hosting;

/// <summary>The IOBinding path (used on CUDA) checked on the CPU provider, which supports binding too: it must answer
/// exactly as the direct <c>Run</c> path does.</summary>
public sealed class OrtBatchExecutorTests
{
    [Fact]
    public void Execute_BoundBatchOfStaticOutputs_SameAsDirectRun()
    {
        using var session = new InferenceSession(TestModels.TwoHeads());
        var signature = OnnxSignature.Read(session, "heads", "1");
        BatchEntry[] batch = [Entry([1, 2, 3], [4, 5, 6]), Entry([1, 1, 1, 2, 2, 2], [3, 3, 3, 4, 4, 4], requested: "product")];

        var direct = Run(session, signature, batch, rows: 3, bindIo: false);
        var bound = Run(session, signature, batch, rows: 3, bindIo: true);

        Assert.Equal(direct, bound);
        Assert.Equal(["sum [1,3] 5,7,9", "product [1,3] 4,10,18"], bound[0]);
        Assert.Equal(["product [2,3] 3,3,3,8,8,8"], bound[1]);
    }

    [Fact]
    public void Execute_BoundUnbatchableModel_OutputsAllocatedByOrtSameAsDirectRun()
    {
        using var session = new InferenceSession(TestModels.TwoHeads(batchable: false));
        var signature = OnnxSignature.Read(session, "heads", "1");
        BatchEntry[] batch = [Entry([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1], rows: 2)];

        var direct = Run(session, signature, batch, rows: 2, bindIo: false);
        var bound = Run(session, signature, batch, rows: 2, bindIo: true);

        Assert.Equal(direct, bound);
        Assert.Equal(["sum [2,3] 2,3,4,5,6,7", "product [2,3] 1,2,3,4,5,6"], bound[0]);
    }

    private static BatchEntry Entry(float[] a, float[] b, int? rows = null, string? requested = null)
    {
        var n = rows ?? a.Length / 3;
        var request = new InferenceRequest("heads", "1", [Tensors.Fp32("a", a, n, 3), Tensors.Fp32("b", b, n, 3)])
        {
            RequestedOutputs = requested is null ? null : [requested],
        };
        return new BatchEntry(request, n);
    }

    private static List<string[]> Run(InferenceSession session, OnnxSignature signature, BatchEntry[] batch, int rows, bool bindIo)
    {
        using var executor = new OrtBatchExecutor(session, signature, "heads", "1", bindIo);
        return [.. executor.Execute(batch, rows).Select(r => r.Outputs
            .Select(o => $"{o.Name} [{string.Join(",", o.Shape)}] {string.Join(",", Tensors.Floats(o))}").ToArray())];
    }
}
