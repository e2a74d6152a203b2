namespace MlOps.Training.Native;

/// <summary>TorchSharp's native library could not be found, patched or loaded; the message names the file.</summary>
public sealed class TorchSharpLoadException(string message, Exception? inner = null) : Exception(message, inner);
