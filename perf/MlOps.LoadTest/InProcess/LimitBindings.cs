using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlOps.LoadTest.InProcess;

/// <summary>
/// The input and output OrtValues of the measured session, created once so that a timed <see cref="Run"/> is only
/// ONNX Runtime's own work: one FP32 input of the batch filled with seeded values in [0, 1), and outputs
/// pre-allocated where their shape is known from the model (the server's pre-allocated path), else left to ORT.
/// </summary>
internal sealed class LimitBindings : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new() { LogId = "mlops-loadtest:in-process" };
    private readonly string[] _inputNames;
    private readonly OrtValue[] _inputs;
    private readonly string[] _outputNames;
    private OrtValue[]? _outputs;

    private LimitBindings(InferenceSession session, string inputName, OrtValue input)
    {
        _session = session;
        _inputNames = [inputName];
        _inputs = [input];
        _outputNames = [.. session.OutputMetadata.Keys];
    }

    /// <summary>Checks the model's single input, creates the values and runs once, so a model that cannot run
    /// fails here rather than in the timed loop.</summary>
    /// <exception cref="LoadTestException">The model does not have exactly one FP32 tensor input this batch fits.</exception>
    /// <exception cref="OnnxRuntimeException">The model does not run on the input.</exception>
    public static LimitBindings Create(InferenceSession session, string modelPath, int batchSize, int seed)
    {
        var (name, shape) = Input(session, modelPath, batchSize);
        var values = new float[checked((int)shape.Aggregate(1L, (a, b) => checked(a * b)))];
        var random = new Random(seed);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = random.NextSingle();
        }

        var bindings = new LimitBindings(session, name, OrtValue.CreateTensorValueFromMemory(values, shape));
        try
        {
            bindings._outputs = bindings.PreallocatedOutputs(batchSize);
            bindings.Probe();
            return bindings;
        }
        catch
        {
            bindings.Dispose();
            throw;
        }
    }

    /// <summary>Runs the session once on the bound values.</summary>
    public void Run()
    {
        if (_outputs is not null)
        {
            _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);
            return;
        }

        using var results = _session.Run(_runOptions, _inputNames, _inputs, _outputNames);
    }

    public void Dispose()
    {
        DisposeOutputs();
        foreach (var input in _inputs)
        {
            input.Dispose();
        }

        _runOptions.Dispose();
    }

    private static (string Name, long[] Shape) Input(InferenceSession session, string modelPath, int batchSize)
    {
        var inputs = session.InputMetadata;
        if (inputs.Count != 1)
        {
            throw new LoadTestException(
                $"'{modelPath}' has {inputs.Count} inputs ({string.Join(", ", inputs.Keys)}); the in-process limit takes a model with exactly one");
        }

        var (name, meta) = inputs.Single();
        if (!meta.IsTensor || meta.ElementDataType != TensorElementType.Float)
        {
            var type = meta.IsTensor ? meta.ElementDataType.ToString() : meta.OnnxValueType.ToString();
            throw new LoadTestException($"'{modelPath}' input '{name}' is {type}; the in-process limit needs an FP32 tensor");
        }

        var dims = meta.Dimensions;
        if (dims.Length == 0)
        {
            throw new LoadTestException($"'{modelPath}' input '{name}' is a scalar; the in-process limit needs a batch dimension");
        }

        if (dims[0] >= 0 && dims[0] != batchSize)
        {
            throw new LoadTestException(
                $"'{modelPath}' input '{name}' has a fixed batch of {dims[0]}; cannot measure a batch of {batchSize}");
        }

        var shape = new long[dims.Length];
        shape[0] = batchSize;
        for (var i = 1; i < dims.Length; i++)
        {
            if (dims[i] < 0)
            {
                throw new LoadTestException(
                    $"'{modelPath}' input '{name}' has a dynamic dimension {i.ToString(CultureInfo.InvariantCulture)} besides the batch; its size is unknown");
            }

            shape[i] = dims[i];
        }

        return (name, shape);
    }

    /// <summary>Outputs of the size the model declares (batch substituted), or null when any is not a numeric
    /// tensor of known shape.</summary>
    private OrtValue[]? PreallocatedOutputs(int batchSize)
    {
        var shapes = new List<(TensorElementType Type, long[] Shape)>();
        foreach (var name in _outputNames)
        {
            var meta = _session.OutputMetadata[name];
            if (!meta.IsTensor || meta.ElementDataType == TensorElementType.String)
            {
                return null;
            }

            var dims = meta.Dimensions;
            var shape = new long[dims.Length];
            for (var i = 0; i < dims.Length; i++)
            {
                if (dims[i] < 0 && i > 0)
                {
                    return null;
                }

                shape[i] = dims[i] < 0 ? batchSize : dims[i];
            }

            shapes.Add((meta.ElementDataType, shape));
        }

        return [.. shapes.Select(s => OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, s.Type, s.Shape))];
    }

    /// <summary>
    /// The first run. A model whose leading output dimension is symbolic but not the batch makes the guessed shape
    /// wrong; ORT then refuses the pre-allocated outputs, and allocating per run is the honest fallback.
    /// </summary>
    private void Probe()
    {
        if (_outputs is null)
        {
            Run();
            return;
        }

        try
        {
            Run();
        }
        catch (OnnxRuntimeException)
        {
            DisposeOutputs();
            Run();
        }
    }

    private void DisposeOutputs()
    {
        foreach (var output in _outputs ?? [])
        {
            output.Dispose();
        }

        _outputs = null;
    }
}
