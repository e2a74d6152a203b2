namespace MlOps.Training.Devices;

/// <summary>
/// A job asked for a GPU but libtorch in this process cannot use CUDA. The job fails rather than training on the CPU:
/// a spec that asks for a GPU should not quietly take fifty times longer. The message says why and what to install.
/// </summary>
public sealed class CudaUnavailableException(string message) : Exception(message);
