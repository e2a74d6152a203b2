using TorchSharp;
using static TorchSharp.torch;

namespace MlOps.Training.Devices;

/// <summary>
/// Picks the torch device from the GPUs a job was given: none → the CPU; one or more → <c>cuda:0</c>. The agent pins a
/// job's GPUs with <c>CUDA_VISIBLE_DEVICES</c>, so inside the child they are <c>cuda:0..N-1</c>. Only <c>cuda:0</c> is
/// used: data parallelism over several GPUs is not implemented, and a log line says so.
/// </summary>
public static class TrainingDevices
{
    /// <summary>
    /// The device for a job with <paramref name="gpus"/> GPUs; logs the device, the GPU's name and the CUDA versions.
    /// </summary>
    /// <param name="gpus">The job's <c>resources.gpus</c>.</param>
    /// <param name="observer">Receives the log lines.</param>
    /// <param name="cudaAvailable">Answers <c>torch.cuda.is_available()</c>; replaceable in tests.</param>
    /// <exception cref="CudaUnavailableException">A GPU was asked for and CUDA is not available (names why).</exception>
    public static Device Select(int gpus, ITrainingObserver observer, Func<bool>? cudaAvailable = null)
    {
        ArgumentNullException.ThrowIfNull(observer);
        if (gpus <= 0)
        {
            observer.OnLog("device: cpu (the job asks for no GPU)");
            return CPU;
        }

        if (!IsAvailable(cudaAvailable ?? cuda.is_available, out var error))
        {
            throw new CudaUnavailableException(UnavailableMessage(gpus, error ?? CudaProcessInfo.WhyUnavailable()));
        }

        var visible = cuda.device_count();
        var info = CudaProcessInfo.Describe();
        observer.OnLog(
            $"device: cuda:0 ({info.GpuName ?? "name unknown"}); libtorch CUDA runtime {info.RuntimeVersion ?? "unknown"}, " +
            $"driver supports CUDA {info.DriverVersion ?? "unknown"}; {visible} GPU(s) visible, CUDA_VISIBLE_DEVICES='{Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES")}'");
        if (gpus > 1)
        {
            observer.OnLog($"the job was given {gpus} GPUs; training uses cuda:0 only (data parallelism over several GPUs is not implemented)");
        }

        return new Device(DeviceType.CUDA, 0);
    }

    /// <summary>Seeds the generators a run on <paramref name="device"/> draws from (the CPU one always: weights are
    /// initialised on the CPU, so the same seed gives the same initial weights on either device).</summary>
    public static void Seed(long seed, Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        manual_seed(seed);
        if (device.type == DeviceType.CUDA)
        {
            // Dropout on CUDA draws from CUDA's generators. Runs on CUDA are repeatable in distribution, not bitwise:
            // cuDNN and atomics in reductions pick algorithms and orders that vary between runs.
            cuda.manual_seed_all(seed);
        }
    }

    internal static string UnavailableMessage(int gpus, string why) =>
        $"the job asks for {gpus} GPU(s) but CUDA is not available to libtorch in this process: {why}. " +
        "It is not trained on the CPU instead. To train on a GPU this node needs the NVIDIA driver (nvidia-smi works) and a " +
        "CUDA build of libtorch: build the agent with -p:MlOpsTorchBackend=cuda (a libtorch-cuda package), or set " +
        "Agent:Training:LibTorchDirectory (MLOPS_LIBTORCH_DIR) to a CUDA libtorch such as a PyTorch install's site-packages/torch/lib " +
        "(docs/gpu.md, Training on CUDA). Or submit the job with resources.gpus: 0 to train on the CPU";

    private static bool IsAvailable(Func<bool> probe, out string? error)
    {
        try
        {
            error = null;
            return probe();
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or DllNotFoundException or EntryPointNotFoundException)
        {
            error = $"asking libtorch failed: {ex.Message}";
            return false;
        }
    }
}
