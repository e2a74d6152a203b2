using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using MlOps.Core.Digests;
using MlOps.Monitoring.Profiles;
using MlOps.Monitoring.Serialization;
using MlOps.Serving.Models;

namespace MlOps.Serving.Monitoring;

/// <summary>
/// The live data profile of one served version: a <see cref="ModelProfile"/> over the bins of the version's reference
/// profile (<c>profile.json</c> in its model directory, written at training time), fed with a sample of the requests
/// — every <see cref="SampleEvery"/>-th, at most <see cref="MaxPerSecond"/> a second — and handed over in windows (<see cref="TakeWindow"/>) for the coordinator
/// to compare with the reference. Profiling never blocks serving: a sampled request whose profile is busy (another
/// request's rows, or a window being taken) is skipped, and counted in <see cref="BusySkips"/>.
/// </summary>
public sealed class LiveProfiler
{
    /// <summary>The reference profile's file name in a model directory (and the title of its artifact layer).</summary>
    public const string FileName = "profile.json";

    private readonly ModelProfile _reference;
    private readonly TimeProvider _time;
    private readonly int _pixels;
    private readonly Lock _gate = new();
    private ModelProfile _live;
    private DateTimeOffset _windowStart;
    private long _windowFirstRequest;
    private long _profiled;
    private long _requests;
    private long _busySkips;
    private int _seed;
    private long _lastSample = long.MinValue;
    private long _minTicksBetween;

    /// <summary>A profiler whose first window starts now.</summary>
    /// <param name="reference">The version's reference profile; live windows share its bins.</param>
    /// <param name="referenceDigest"><c>sha256:</c> digest of the reference profile file.</param>
    /// <param name="sampleEvery">Profile every N-th request (1 = every request).</param>
    /// <param name="time">Clock of the window bounds.</param>
    /// <param name="seed">Seed of the first window's reservoir; each later window uses the next one.</param>
    public LiveProfiler(ModelProfile reference, string referenceDigest, int sampleEvery, TimeProvider? time = null, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentException.ThrowIfNullOrWhiteSpace(referenceDigest);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleEvery, 1);
        _reference = reference;
        _time = time ?? TimeProvider.System;
        _pixels = reference.Inputs.Height * reference.Inputs.Width;
        _seed = seed ?? Random.Shared.Next();
        _live = reference.CreateLike(_seed);
        _windowStart = _time.GetUtcNow();
        ReferenceDigest = referenceDigest;
        SampleEvery = sampleEvery;
    }

    /// <summary><c>sha256:</c> digest of the reference profile file (the artifact layer's digest).</summary>
    public string ReferenceDigest { get; }

    /// <summary>Every N-th request is profiled.</summary>
    public int SampleEvery { get; }

    /// <summary>At most this many sampled requests are profiled per second (0: no cap), so a busy version spends a
    /// bounded amount of CPU on statistics — 100 a second is about 0.5 ms of a core — while a quiet one still profiles
    /// every <see cref="SampleEvery"/>-th request.</summary>
    public int MaxPerSecond
    {
        get => _minTicksBetween == 0 ? 0 : (int)Math.Round(_time.TimestampFrequency / (double)_minTicksBetween);
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _minTicksBetween = value == 0 ? 0 : Math.Max(1, _time.TimestampFrequency / value);
        }
    }

    /// <summary>The reference profile the windows are built like.</summary>
    public ModelProfile Reference => _reference;

    /// <summary>Sampled requests skipped because the profile was busy, since the start.</summary>
    public long BusySkips => Interlocked.Read(ref _busySkips);

    /// <summary>For tests: the lock a sampled request tries to take.</summary>
    internal Lock Gate => _gate;

    /// <summary>
    /// Reads <see cref="FileName"/> from <paramref name="directory"/>. Null when there is none, when
    /// <paramref name="sampleEvery"/> is 0 (profiling off), or when the file cannot be read (logged: the version
    /// still serves, only without live statistics).
    /// </summary>
    public static LiveProfiler? TryLoad(string directory, string name, string version, int sampleEvery, TimeProvider time, ILogger logger, int maxPerSecond = 0)
    {
        var path = Path.Combine(directory, FileName);
        if (sampleEvery <= 0 || !File.Exists(path))
        {
            return null;
        }

        try
        {
            var bytes = File.ReadAllBytes(path);
            var reference = ProfileJson.ReadModelProfile(bytes);
            var profiler = new LiveProfiler(reference, Sha256Digest.OfBytes(bytes), sampleEvery, time) { MaxPerSecond = maxPerSecond };
            MonitoringLog.Profiling(logger, name, version, profiler.ReferenceDigest, reference.Inputs.Height, reference.Inputs.Width,
                reference.Predictions.ClassCount, sampleEvery);
            return profiler;
        }
        catch (Exception ex) when (ex is ProfileFormatException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            MonitoringLog.ProfileUnusable(logger, name, version, path, ex.Message);
            return null;
        }
    }

    /// <summary>
    /// Counts one served request and, when it is a sampled one, adds each of its rows: the first FP32 input shaped
    /// <c>[rows, 1, H, W]</c> or <c>[rows, H, W]</c> with the reference's H×W, and the first FP32 output shaped
    /// <c>[rows, classes]</c> with the reference's classes. A request without such tensors is counted, not profiled.
    /// </summary>
    public void Observe(InferenceRequest request, InferenceResponse response, int rows)
    {
        var sequence = Interlocked.Increment(ref _requests);
        if (sequence % SampleEvery != 0 || rows <= 0 || !WithinRate())
        {
            return;
        }

        if (!TryFindImages(request, rows, out var images) || !TryFindScores(response, rows, out var scores))
        {
            return;
        }

        if (!_gate.TryEnter())
        {
            Interlocked.Increment(ref _busySkips);
            return;
        }

        try
        {
            var classes = scores.Length / rows;
            for (var row = 0; row < rows; row++)
            {
                _live.Add(images.Slice(row * _pixels, _pixels), scores.Slice(row * classes, classes));
            }

            _profiled += rows;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>True when the rate cap lets this sample through (one compare-and-swap; a lost race skips the sample).</summary>
    private bool WithinRate()
    {
        if (_minTicksBetween == 0)
        {
            return true;
        }

        var now = _time.GetTimestamp();
        var last = Volatile.Read(ref _lastSample);
        return (last == long.MinValue || now - last >= _minTicksBetween) && Interlocked.CompareExchange(ref _lastSample, now, last) == last;
    }

    /// <summary>Ends the current window and starts a fresh one (atomically with respect to sampled requests).</summary>
    public ProfileWindow TakeWindow()
    {
        // Built outside the lock: a reference's CreateLike allocates, and sampled requests skip while the lock is held.
        var fresh = _reference.CreateLike(Interlocked.Increment(ref _seed));
        _gate.Enter();
        try
        {
            var end = _time.GetUtcNow();
            var requests = Interlocked.Read(ref _requests);
            var window = new ProfileWindow(_windowStart, end, requests - _windowFirstRequest, _profiled, _live);
            _live = fresh;
            _profiled = 0;
            _windowStart = end;
            _windowFirstRequest = requests;
            return window;
        }
        finally
        {
            _gate.Exit();
        }
    }

    private bool TryFindImages(InferenceRequest request, int rows, out ReadOnlySpan<float> images)
    {
        var height = _reference.Inputs.Height;
        var width = _reference.Inputs.Width;
        foreach (var input in request.Inputs)
        {
            var shaped = input.Shape switch
            {
                [var r, 1, var h, var w] => r == rows && h == height && w == width,
                [var r, var h, var w] => r == rows && h == height && w == width,
                _ => false,
            };
            if (shaped && input.DataType == "FP32" && input.Data.Length == (long)rows * _pixels * sizeof(float))
            {
                images = MemoryMarshal.Cast<byte, float>(input.Data.Span);
                return true;
            }
        }

        images = default;
        return false;
    }

    private bool TryFindScores(InferenceResponse response, int rows, out ReadOnlySpan<float> scores)
    {
        var classes = _reference.Predictions.ClassCount;
        foreach (var output in response.Outputs)
        {
            if (output.DataType == "FP32" && output.Shape is [var r, var c] && r == rows && c == classes && output.Data.Length == (long)rows * classes * sizeof(float))
            {
                scores = MemoryMarshal.Cast<byte, float>(output.Data.Span);
                return true;
            }
        }

        scores = default;
        return false;
    }
}
