using MlOps.Onnx;
using MlOps.Training.Native;
using static TorchSharp.torch;

namespace MlOps.Training.Models;

/// <summary>Moves trained weights between TorchSharp modules, <c>model.dat</c> files and the exporter's neutral form.</summary>
public static class ModelWeights
{
    /// <summary>
    /// Copies every floating-point parameter and buffer of <paramref name="module"/> (its <c>state_dict</c>) to
    /// float32 arrays keyed by state-dict name (<c>"0.weight"</c>, <c>"1.running_mean"</c>, ...), the input
    /// <see cref="OnnxExporter"/> takes. Integer buffers (BatchNorm's <c>num_batches_tracked</c>) are left out: no
    /// inference graph reads them. Put the module in eval mode first when its weights are to be exported.
    /// </summary>
    public static IReadOnlyDictionary<string, WeightTensor> Extract(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var weights = new Dictionary<string, WeightTensor>(StringComparer.Ordinal);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var (name, tensor) in module.state_dict())
        {
            if (!tensor.is_floating_point())
            {
                continue;
            }

            var values = tensor.detach().cpu().to_type(ScalarType.Float32).contiguous();
            weights.Add(name, new WeightTensor([.. values.shape], values.data<float>().ToArray()));
        }

        return weights;
    }

    /// <summary>
    /// Loads a weights file written by the trainer (<c>model.dat</c>, TorchSharp's <c>module.save</c> format) into
    /// a module freshly built from the same spec with <see cref="ModelBuilder.Build(MlOps.Contracts.ModelSpec)"/>.
    /// Strict: every entry must match a parameter or buffer by name, dtype and shape.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentException">The file does not fit the module; the message names the file and carries
    /// TorchSharp's reason (entry count, name, dtype or shape).</exception>
    public static void Load(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"weights file {path} not found", path);
        }

        TorchSharpLoader.EnsureLoaded();
        try
        {
            module.load(path, strict: true);
        }
        catch (Exception ex) when (ex is not IOException)
        {
            throw new ArgumentException($"weights file {path} does not fit the model: {ex.Message}", nameof(path), ex);
        }
    }
}
