using System.Diagnostics;

namespace MlOps.Monitoring.Profiles;

/// <summary>Measured cost of <see cref="ModelProfile.Add"/>, the per-request hot path.</summary>
/// <param name="Requests">Requests timed.</param>
/// <param name="NanosecondsPerRequest">Mean wall time per request.</param>
/// <param name="BytesAllocatedPerRequest">Managed bytes allocated per request on the measuring thread (expected 0).</param>
public readonly record struct ProfileUpdateCost(int Requests, double NanosecondsPerRequest, double BytesAllocatedPerRequest)
{
    /// <summary>
    /// Times <paramref name="requests"/> updates of a live <see cref="ModelProfile"/> with synthetic
    /// <paramref name="height"/>×<paramref name="width"/> images and 10-class outputs, after a warm-up.
    /// For perf/ harnesses, not for pass/fail tests: wall time depends on the machine.
    /// </summary>
    public static ProfileUpdateCost Measure(int requests = 100_000, int height = 28, int width = 28, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requests);
        var random = new Random(seed);
        const int distinctImages = 64;
        var images = new float[distinctImages][];
        var outputs = new float[distinctImages][];
        for (var i = 0; i < distinctImages; i++)
        {
            images[i] = new float[height * width];
            for (var p = 0; p < images[i].Length; p++)
            {
                images[i][p] = (float)((random.NextDouble() * 2.8) - 0.8);
            }

            outputs[i] = new float[10];
            outputs[i][random.Next(10)] = 1;
        }

        var reference = new ModelProfile(
            ImageProfile.CreateReference(images.Select(x => new ReadOnlyMemory<float>(x)), height, width),
            new PredictionProfile(10));
        var live = reference.CreateLike(seed + 1);
        for (var i = 0; i < 1000; i++)
        {
            live.Add(images[i % distinctImages], outputs[i % distinctImages]);
        }

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < requests; i++)
        {
            live.Add(images[i % distinctImages], outputs[i % distinctImages]);
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        return new ProfileUpdateCost(requests, elapsed.TotalNanoseconds / requests, (double)allocated / requests);
    }
}
