using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using MlOps.Serving.Hosting.Batching;
using MlOps.Serving.Models;

namespace MlOps.Serving.Hosting;

/// <summary>
/// Runs a batch through one ONNX Runtime session with the OrtValue API and no needless copies:
/// <list type="bullet">
/// <item>a batch of one request reads the request's own bytes in place (pinned for the call);</item>
/// <item>several requests are stacked into one pinned, pooled buffer (one copy, which a batch cannot avoid);</item>
/// <item>outputs with static row shapes are written by ORT straight into one new array per output, and each
/// response gets a slice of it (its own rows) rather than a copy.</item>
/// </list>
/// Outputs whose shape ORT only knows after running are copied out of ORT's buffers once.
/// With <paramref name="bindIo"/> (the CUDA path) the same OrtValues over pinned host memory are bound to an
/// <see cref="OrtIoBinding"/> and run with <c>RunWithBinding</c>: ORT copies the inputs to the device when they are
/// bound and the outputs back into the host buffers when the run ends. The binding lives for one execution and is
/// disposed with it. Without it (CPU) the session reads and writes the host buffers directly through <c>Run</c>.
/// </summary>
internal sealed class OrtBatchExecutor(InferenceSession session, OnnxSignature signature, string name, string version, bool bindIo = false)
    : IBatchExecutor, IDisposable
{
    private readonly PinnedBufferPool _pool = new();
    private readonly RunOptions _runOptions = new() { LogId = $"{name}:{version}" };

    public IReadOnlyList<InferenceResponse> Execute(IReadOnlyList<BatchEntry> batch, int rows)
    {
        var outputs = SelectOutputs(batch);
        var inputValues = new OrtValue[signature.Inputs.Count];
        var scope = new PinScope(_pool);
        try
        {
            for (var i = 0; i < inputValues.Length; i++)
            {
                inputValues[i] = batch.Count == 1
                    ? InPlace(batch[0].Request.Inputs[i], signature.Inputs[i], scope)
                    : Stacked(batch, i, rows, scope);
            }

            var names = outputs.Count == signature.Outputs.Count ? signature.OutputNames : [.. outputs.Select(o => o.Name)];
            return signature.Batchable && outputs.All(o => o.RowBytes >= 0)
                ? RunPreallocated(batch, rows, inputValues, outputs, names, scope)
                : RunAllocated(batch, rows, inputValues, outputs, names);
        }
        finally
        {
            foreach (var value in inputValues)
            {
                value?.Dispose();
            }

            scope.Dispose();
        }
    }

    public void Dispose() => _runOptions.Dispose();

    private List<InferenceResponse> RunPreallocated(IReadOnlyList<BatchEntry> batch, int rows, OrtValue[] inputs,
        List<TensorBinding> outputs, string[] names, PinScope scope)
    {
        var buffers = new byte[outputs.Count][];
        var values = new OrtValue[outputs.Count];
        try
        {
            for (var o = 0; o < outputs.Count; o++)
            {
                buffers[o] = GC.AllocateUninitializedArray<byte>(checked((int)(rows * outputs[o].RowBytes)));
                values[o] = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, outputs[o].ElementType,
                    WithBatch(outputs[o].Shape, rows), scope.Pin(buffers[o], 0), buffers[o].Length);
            }

            if (bindIo)
            {
                using var binding = Bind(inputs);
                for (var o = 0; o < values.Length; o++)
                {
                    binding.BindOutput(names[o], values[o]);
                }

                session.RunWithBinding(_runOptions, binding);
            }
            else
            {
                session.Run(_runOptions, signature.InputNames, inputs, names, values);
            }
        }
        finally
        {
            foreach (var value in values)
            {
                value?.Dispose();
            }
        }

        var responses = new List<InferenceResponse>(batch.Count);
        var offset = 0;
        foreach (var entry in batch)
        {
            var tensors = new List<InferenceTensor>(outputs.Count);
            for (var o = 0; o < outputs.Count; o++)
            {
                if (Wants(entry.Request, outputs[o].Name))
                {
                    var rowBytes = (int)outputs[o].RowBytes;
                    tensors.Add(new InferenceTensor(outputs[o].Name, outputs[o].DataType, WithBatch(outputs[o].Shape, entry.Rows),
                        buffers[o].AsMemory(offset * rowBytes, entry.Rows * rowBytes)));
                }
            }

            responses.Add(Respond(entry.Request, tensors));
            offset += entry.Rows;
        }

        return responses;
    }

    private List<InferenceResponse> RunAllocated(IReadOnlyList<BatchEntry> batch, int rows, OrtValue[] inputs,
        List<TensorBinding> outputs, string[] names)
    {
        var data = new byte[outputs.Count][];
        var shapes = new long[outputs.Count][];
        // Outputs of unknown shape are allocated by ORT; bound, they are allocated in host memory and copied back there.
        using var binding = bindIo ? Bind(inputs) : null;
        if (binding is not null)
        {
            foreach (var output in names)
            {
                binding.BindOutputToDevice(output, OrtMemoryInfo.DefaultInstance);
            }
        }

        using (var results = binding is null
            ? session.Run(_runOptions, signature.InputNames, inputs, names)
            : session.RunWithBoundResults(_runOptions, binding))
        {
            for (var o = 0; o < outputs.Count; o++)
            {
                shapes[o] = results[o].GetTensorTypeAndShape().Shape;
                data[o] = results[o].GetTensorMutableRawData().ToArray();
                if (signature.Batchable && (shapes[o].Length == 0 || shapes[o][0] != rows))
                {
                    throw new InferenceException(InferenceErrorKind.Internal,
                        $"model '{name}' version '{version}': output '{outputs[o].Name}' has shape [{string.Join(",", shapes[o])}], expected {rows} rows");
                }
            }
        }

        var responses = new List<InferenceResponse>(batch.Count);
        var offset = 0;
        foreach (var entry in batch)
        {
            var tensors = new List<InferenceTensor>(outputs.Count);
            for (var o = 0; o < outputs.Count; o++)
            {
                if (!Wants(entry.Request, outputs[o].Name))
                {
                    continue;
                }

                if (!signature.Batchable)
                {
                    tensors.Add(new InferenceTensor(outputs[o].Name, outputs[o].DataType, shapes[o], data[o]));
                    continue;
                }

                var rowBytes = data[o].Length / rows;
                tensors.Add(new InferenceTensor(outputs[o].Name, outputs[o].DataType, [entry.Rows, .. shapes[o][1..]],
                    data[o].AsMemory(offset * rowBytes, entry.Rows * rowBytes)));
            }

            responses.Add(Respond(entry.Request, tensors));
            offset += entry.Rows;
        }

        return responses;
    }

    /// <summary>A binding with every input bound; the caller binds the outputs and disposes it after the run.</summary>
    private OrtIoBinding Bind(OrtValue[] inputs)
    {
        var binding = session.CreateIoBinding();
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                binding.BindInput(signature.InputNames[i], inputs[i]);
            }

            return binding;
        }
        catch
        {
            binding.Dispose();
            throw;
        }
    }

    /// <summary>An OrtValue over the request's own bytes when they can be pinned in place and are aligned for the
    /// element type; otherwise over a pooled copy.</summary>
    private OrtValue InPlace(InferenceTensor tensor, TensorBinding spec, PinScope scope)
    {
        if (MemoryMarshal.TryGetArray(tensor.Data, out var segment) && segment.Array is { } array)
        {
            var address = scope.Pin(array, segment.Offset);
            if (address % spec.ElementSize == 0)
            {
                return OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, spec.ElementType, tensor.Shape, address, segment.Count);
            }
        }

        var copy = scope.Rent(tensor.Data.Length);
        tensor.Data.Span.CopyTo(copy);
        return OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, spec.ElementType, tensor.Shape,
            PinnedBufferPool.AddressOf(copy), tensor.Data.Length);
    }

    /// <summary>Input <paramref name="index"/> of every request, stacked along the batch dimension in one pooled buffer.</summary>
    private OrtValue Stacked(IReadOnlyList<BatchEntry> batch, int index, int rows, PinScope scope)
    {
        var spec = signature.Inputs[index];
        var length = checked((int)(rows * spec.RowBytes));
        var buffer = scope.Rent(length);
        var offset = 0;
        foreach (var entry in batch)
        {
            var data = entry.Request.Inputs[index].Data.Span;
            data.CopyTo(buffer.AsSpan(offset));
            offset += data.Length;
        }

        return OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, spec.ElementType, WithBatch(spec.Shape, rows),
            PinnedBufferPool.AddressOf(buffer), length);
    }

    /// <summary>The outputs any request of the batch asked for (all when one asked for none), in model order.</summary>
    private List<TensorBinding> SelectOutputs(IReadOnlyList<BatchEntry> batch)
    {
        if (batch.Any(e => e.Request.RequestedOutputs is not { Count: > 0 }))
        {
            return [.. signature.Outputs];
        }

        return [.. signature.Outputs.Where(o => batch.Any(e => e.Request.RequestedOutputs!.Contains(o.Name)))];
    }

    private static bool Wants(InferenceRequest request, string output) =>
        request.RequestedOutputs is not { Count: > 0 } requested || requested.Contains(output);

    private InferenceResponse Respond(InferenceRequest request, List<InferenceTensor> outputs) =>
        new(name, version, outputs) { Id = request.Id };

    private static long[] WithBatch(long[] shape, long rows) => [rows, .. shape[1..]];

    /// <summary>GCHandles and pooled buffers held for one execution, released together.</summary>
    private sealed class PinScope(PinnedBufferPool pool) : IDisposable
    {
        private readonly List<GCHandle> _handles = [];
        private readonly List<byte[]> _rented = [];

        public nint Pin(byte[] array, int offset)
        {
            var handle = GCHandle.Alloc(array, GCHandleType.Pinned);
            _handles.Add(handle);
            return handle.AddrOfPinnedObject() + offset;
        }

        public byte[] Rent(int length)
        {
            var buffer = pool.Rent(length);
            _rented.Add(buffer);
            return buffer;
        }

        public void Dispose()
        {
            foreach (var handle in _handles)
            {
                handle.Free();
            }

            foreach (var buffer in _rented)
            {
                pool.Return(buffer);
            }
        }
    }
}
