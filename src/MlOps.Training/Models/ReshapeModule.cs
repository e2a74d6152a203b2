using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlOps.Training.Models;

/// <summary>
/// Reshapes each sample to <c>shape</c> (one entry may be -1) and keeps the batch dimension, as ONNX
/// <c>Reshape</c> with target <c>[0, ..shape]</c> does. TorchSharp has no reshape module of its own.
/// </summary>
internal sealed class ReshapeModule(long[] shape) : ParameterLessModule<Tensor, Tensor>("Reshape")
{
    private readonly long[] _shape = shape;

    public override Tensor forward(Tensor input) => input.reshape([input.shape[0], .. _shape]);
}
