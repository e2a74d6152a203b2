using System.Runtime.InteropServices;
using MlOps.Serving.Models;

namespace MlOps.Serving.Tests.Hosting.Support;

/// <summary>Float tensors to and from the raw little-endian form requests carry.</summary>
public static class Tensors
{
    public static InferenceTensor Fp32(string name, float[] values, params long[] shape) =>
        new(name, "FP32", shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public static float[] Floats(InferenceTensor tensor) => MemoryMarshal.Cast<byte, float>(tensor.Data.Span).ToArray();

    /// <summary>Deterministic pseudo-random pixels in [-1, 1) for <paramref name="rows"/> images of 1×28×28.</summary>
    public static float[] Images(int rows, int seed)
    {
        var random = new Random(seed);
        var values = new float[rows * 784];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return values;
    }

    public static InferenceRequest ImageRequest(string model, float[] images, int rows, string? id = null) =>
        new(model, null, [Fp32("input", images, rows, 1, 28, 28)]) { Id = id };

    public static float MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        var max = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }
}
