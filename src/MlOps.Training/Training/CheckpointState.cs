using System.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlOps.Training;

/// <summary>
/// Turns the live training state into checkpoint sections and back: the model's <c>state_dict</c> (our own layout, so a
/// mismatch can name the parameter), the optimizer's state (TorchSharp's <c>save_state_dict</c>: SGD momentum buffers,
/// Adam moments and step counts) and torch's default generator (so dropout continues with the same draws).
/// </summary>
internal static class CheckpointState
{
    /// <summary>int32 entry count, then per entry: name, int32 dtype, int32 rank, int64 per dimension, int64 byte
    /// count, raw bytes (CPU, contiguous, native byte order).</summary>
    public static byte[] SaveModel(nn.Module model)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            var state = model.state_dict();
            writer.Write(state.Count);
            foreach (var (name, tensor) in state)
            {
                using var scope = NewDisposeScope();
                var cpu = tensor.detach().cpu().contiguous();
                writer.Write(name);
                writer.Write((int)cpu.dtype);
                writer.Write(cpu.shape.Length);
                foreach (var dimension in cpu.shape)
                {
                    writer.Write(dimension);
                }

                var bytes = cpu.bytes;
                writer.Write((long)bytes.Length);
                writer.Write(bytes);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Copies a saved state into <paramref name="model"/>; every name, dtype and shape must match.</summary>
    /// <exception cref="CheckpointException">They do not (all differences listed), or the section is malformed.</exception>
    public static void RestoreModel(nn.Module model, byte[] state, string path)
    {
        var saved = ParseModel(state, path);
        var target = model.state_dict();
        var problems = new List<string>();
        problems.AddRange(target.Keys.Where(k => !saved.ContainsKey(k)).Order(StringComparer.Ordinal)
            .Select(k => $"{k} is missing from the checkpoint (the model has shape {Shape(target[k].shape)})"));
        problems.AddRange(saved.Keys.Where(k => !target.ContainsKey(k)).Order(StringComparer.Ordinal)
            .Select(k => $"{k} is in the checkpoint but not in the model"));
        foreach (var (name, entry) in saved)
        {
            if (!target.TryGetValue(name, out var tensor))
            {
                continue;
            }

            if (entry.DType != tensor.dtype)
            {
                problems.Add($"{name} has dtype {entry.DType} in the checkpoint, {tensor.dtype} in the model");
            }
            else if (!entry.Shape.SequenceEqual(tensor.shape))
            {
                problems.Add($"{name} has shape {Shape(entry.Shape)} in the checkpoint, {Shape(tensor.shape)} in the model");
            }
        }

        if (problems.Count > 0)
        {
            throw new CheckpointException(path, $"the model state does not fit the model: {string.Join("; ", problems)}");
        }

        using var noGrad = no_grad();
        foreach (var (name, entry) in saved)
        {
            using var scope = NewDisposeScope();
            var source = empty(entry.Shape, entry.DType);
            if (source.bytes.Length != entry.Data.Length)
            {
                throw new CheckpointException(path, $"the model state's {name} holds {entry.Data.Length} bytes; its shape and dtype need {source.bytes.Length}");
            }

            source.bytes = entry.Data;
            target[name].copy_(source);
        }
    }

    public static byte[] SaveOptimizer(optim.Optimizer optimizer)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            Helper(optimizer).save_state_dict(writer);
        }

        return buffer.ToArray();
    }

    /// <summary>Must run outside a dispose scope: TorchSharp allocates missing state tensors (SGD momentum) here.</summary>
    public static void RestoreOptimizer(optim.Optimizer optimizer, byte[] state, string path)
    {
        using var reader = new BinaryReader(new MemoryStream(state), Encoding.UTF8);
        try
        {
            Helper(optimizer).load_state_dict(reader);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new CheckpointException(path, $"the optimizer state does not fit the optimizer: {ex.Message}", ex);
        }

        if (reader.BaseStream.Position != state.Length)
        {
            throw new CheckpointException(path, $"the optimizer state has {state.Length - reader.BaseStream.Position} unread bytes");
        }
    }

    public static byte[] SaveRng()
    {
        using var state = get_rng_state();
        return state.data<byte>().ToArray();
    }

    public static void RestoreRng(byte[] state, string path)
    {
        try
        {
            using var tensor = ByteTensor(state);
            set_rng_state(tensor);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new CheckpointException(path, $"the RNG state ({state.Length} bytes) was refused by torch: {ex.Message}", ex);
        }
    }

    private static Tensor ByteTensor(byte[] bytes) => tensor(bytes, [bytes.LongLength], ScalarType.Byte);

    private static OptimizerHelper Helper(optim.Optimizer optimizer) =>
        optimizer as OptimizerHelper
        ?? throw new NotSupportedException($"optimizer {optimizer.GetType().Name} cannot save its state (not a TorchSharp managed optimizer)");

    private static Dictionary<string, ModelEntry> ParseModel(byte[] state, string path)
    {
        var entries = new Dictionary<string, ModelEntry>(StringComparer.Ordinal);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(state), Encoding.UTF8);
            var count = reader.ReadInt32();
            for (var i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                var dtype = (ScalarType)reader.ReadInt32();
                var rank = reader.ReadInt32();
                if (rank is < 0 or > 64)
                {
                    throw new InvalidDataException($"{name} has rank {rank}");
                }

                var shape = new long[rank];
                for (var d = 0; d < rank; d++)
                {
                    shape[d] = reader.ReadInt64();
                }

                var length = reader.ReadInt64();
                if (length < 0 || length > state.Length - reader.BaseStream.Position)
                {
                    throw new InvalidDataException($"{name}'s {length} bytes run past the section");
                }

                if (!entries.TryAdd(name, new ModelEntry(dtype, shape, reader.ReadBytes((int)length))))
                {
                    throw new InvalidDataException($"{name} appears twice");
                }
            }

            if (reader.BaseStream.Position != state.Length)
            {
                throw new InvalidDataException($"{state.Length - reader.BaseStream.Position} unread bytes after {count} entries");
            }
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException or IOException)
        {
            throw new CheckpointException(path, $"the model state section is malformed: {ex.Message}", ex);
        }

        return entries;
    }

    private static string Shape(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";

    private sealed record ModelEntry(ScalarType DType, long[] Shape, byte[] Data);
}
