using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Serving.Models;

namespace MlOps.Serving.Hosting.Repository;

/// <summary>
/// The versions this process serves, keyed by (name, version), several side by side. A version is routed only
/// once READY (digest verified, session created, warm-up run). Loading the same version again builds the new
/// instance while the old one keeps serving, then swaps them and drains the old. Unloading removes the version
/// from routing first, then lets queued requests finish, then releases the session. Operations on one model name
/// run one at a time; routing (<see cref="TryGet"/>) never waits for them.
/// </summary>
public sealed class ModelRepository : IModelRepository, IAsyncDisposable
{
    public const string ReadyState = "READY";
    public const string LoadingState = "LOADING";
    public const string UnavailableState = "UNAVAILABLE";

    private readonly ConcurrentDictionary<string, ImmutableDictionary<string, VersionEntry>> _models = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _nameLocks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TrafficSplit> _routes = new(StringComparer.Ordinal);
    private readonly OnnxModelVersionOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private ModelLoader? _loader;

    /// <param name="options">Session and batching options of every version; validated here (all errors at once).</param>
    /// <param name="loader">Finds a model's versions for <see cref="LoadAsync"/>; can also be set later with <see cref="UseLoader"/>.</param>
    /// <param name="loggerFactory">Loggers of the repository and its versions; none by default.</param>
    /// <param name="time">Clock of the batchers and statistics; <see cref="TimeProvider.System"/> by default.</param>
    public ModelRepository(OnnxModelVersionOptions? options = null, ModelLoader? loader = null, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        _options = options ?? new OnnxModelVersionOptions();
        var errors = _options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"invalid model host options: {string.Join("; ", errors)}", nameof(options));
        }

        _loader = loader;
        _loggers = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger<ModelRepository>();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Registers the delegate <see cref="LoadAsync"/> asks for a model's versions (the agent wires artifact pulls here).</summary>
    public void UseLoader(ModelLoader loader) => Volatile.Write(ref _loader, loader ?? throw new ArgumentNullException(nameof(loader)));

    public IReadOnlyList<ModelIndexEntry> Index() =>
        [.. _models.OrderBy(m => m.Key, StringComparer.Ordinal)
            .SelectMany(m => m.Value.Values.OrderBy(v => v.Version, VersionOrder.Instance)
                .Select(v => new ModelIndexEntry(m.Key, v.Version, v.State, v.Reason)))];

    public bool TryGet(string name, string? version, out IServedModel model)
    {
        model = null!;
        if (name is null || !_models.TryGetValue(name, out var versions))
        {
            return false;
        }

        VersionEntry? entry;
        if (string.IsNullOrEmpty(version))
        {
            entry = _routes.TryGetValue(name, out var split) ? Route(split, versions) : null;
            if (entry is null)
            {
                return TryGetNewestReady(versions, out model);
            }
        }
        else if (!versions.TryGetValue(version, out entry))
        {
            return false;
        }

        if (entry?.Model is not { IsReady: true } ready)
        {
            return false;
        }

        model = ready;
        return true;
    }

    public bool TryGetPrimary(string name, out IServedModel model)
    {
        model = null!;
        if (name is null || !_models.TryGetValue(name, out var versions))
        {
            return false;
        }

        if (_routes.TryGetValue(name, out var split))
        {
            foreach (var (version, _) in split.Weights.OrderByDescending(w => w.Value))
            {
                if (versions.TryGetValue(version, out var entry) && entry.Model is { IsReady: true } routed)
                {
                    model = routed;
                    return true;
                }
            }
        }

        return TryGetNewestReady(versions, out model);
    }

    /// <summary>
    /// Sets how requests that name no version are shared between the model's versions (a deployment's traffic
    /// split: canary, or the switch to a new version in a rollout). Weights are relative; a version with weight 0 or
    /// not listed takes no unversioned traffic but still answers requests that name it. The share is exact over
    /// every run of <c>sum(weights)</c> requests (a fixed stride through the slots, not a random draw). When the
    /// picked version is not ready another routed one is used, then the newest ready one. An empty list removes the
    /// split (newest ready version).
    /// </summary>
    public void SetRoutes(string name, IReadOnlyList<KeyValuePair<string, int>> weights)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(weights);
        var routed = weights.Where(w => w.Value > 0).ToArray();
        if (routed.Length == 0)
        {
            _routes.TryRemove(name, out _);
            return;
        }

        if (_routes.TryGetValue(name, out var current) && current.Weights.SequenceEqual(routed))
        {
            return; // same split: keep its position, so re-sent assignments do not restart the sequence
        }

        _routes[name] = new TrafficSplit(routed);
    }

    /// <summary>The split set by <see cref="SetRoutes"/>, empty when there is none.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> Routes(string name) =>
        _routes.TryGetValue(name, out var split) ? split.Weights : [];

    /// <summary>
    /// Asks the registered <see cref="ModelLoader"/> for the model's versions, loads (or reloads) each, and unloads
    /// loaded versions it no longer lists.
    /// </summary>
    /// <exception cref="InferenceException">NotFound: no loader, or it found nothing; the loader's own kind; Internal
    /// naming each version that failed (the others stay loaded).</exception>
    public async Task LoadAsync(string name, CancellationToken cancellationToken)
    {
        var loader = Volatile.Read(ref _loader)
            ?? throw new InferenceException(InferenceErrorKind.NotFound, $"model '{name}' cannot be loaded: no model loader is registered");
        IReadOnlyList<ModelSource> sources;
        try
        {
            sources = await loader(name, cancellationToken);
        }
        catch (Exception ex) when (ex is not InferenceException and not OperationCanceledException)
        {
            throw new InferenceException(InferenceErrorKind.Internal, $"model '{name}': finding its versions failed: {ex.Message}", ex);
        }

        if (sources is not { Count: > 0 })
        {
            throw new InferenceException(InferenceErrorKind.NotFound, $"model '{name}': no versions found to load");
        }

        var failures = new List<string>();
        foreach (var source in sources)
        {
            try
            {
                await LoadVersionAsync(name, source.Version, source.Path, source.ExpectedDigest, cancellationToken);
            }
            catch (InferenceException ex)
            {
                failures.Add(ex.Message);
            }
        }

        var listed = sources.Select(s => s.Version).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in Versions(name).Where(v => !listed.Contains(v.Version) && v.Model is not null))
        {
            await UnloadVersionAsync(name, stale.Version, cancellationToken);
        }

        if (failures.Count > 0)
        {
            throw new InferenceException(InferenceErrorKind.Internal,
                $"model '{name}': {failures.Count} of {sources.Count} version(s) failed to load: {string.Join("; ", failures)}");
        }
    }

    /// <summary>Unloads every version of the model.</summary>
    /// <exception cref="InferenceException">NotFound when the repository has never seen the model.</exception>
    public async Task UnloadAsync(string name, CancellationToken cancellationToken)
    {
        var versions = Versions(name);
        if (versions.Count == 0)
        {
            throw new InferenceException(InferenceErrorKind.NotFound, $"model '{name}' is not known to this server");
        }

        foreach (var version in versions)
        {
            await UnloadVersionAsync(name, version.Version, cancellationToken);
        }
    }

    /// <summary>
    /// Loads one version from a model directory or ONNX file (see <see cref="ModelSource"/>) and routes to it once it
    /// is warmed. A version already serving keeps serving until its replacement is ready, and also when the
    /// replacement fails.
    /// </summary>
    /// <exception cref="InferenceException">NotFound: the path or model.onnx is missing. Internal: no expected digest,
    /// digest mismatch, config.json disagreeing with the ONNX file, ONNX Runtime refusing it, or a failed warm-up.</exception>
    public async Task<OnnxModelVersion> LoadVersionAsync(string name, string version, string path, string? expectedDigest = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var gate = _nameLocks.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var previous = Find(name, version)?.Model;
            Set(name, previous is { IsReady: true }
                ? new VersionEntry(version, ReadyState, "reloading", previous)
                : new VersionEntry(version, LoadingState, "", null));
            HostingLog.Loading(_logger, name, version, path);

            OnnxModelVersion loaded;
            try
            {
                loaded = await OpenAndWarmAsync(name, version, path, expectedDigest, cancellationToken);
            }
            catch (Exception ex)
            {
                var error = ex as InferenceException ?? (ex is OperationCanceledException
                    ? new InferenceException(InferenceErrorKind.Unavailable, $"model '{name}' version '{version}': loading was cancelled", ex)
                    : new InferenceException(InferenceErrorKind.Internal, $"model '{name}' version '{version}' failed to load: {ex.Message}", ex));
                HostingLog.LoadFailed(_logger, name, version, error.Message);
                Set(name, previous is { IsReady: true }
                    ? new VersionEntry(version, ReadyState, $"reload failed: {error.Message}", previous)
                    : new VersionEntry(version, UnavailableState, error.Message, null));
                if (ex is OperationCanceledException)
                {
                    throw;
                }

                throw error;
            }

            Set(name, new VersionEntry(version, ReadyState, "", loaded));
            if (previous is not null)
            {
                HostingLog.Unloading(_logger, name, version);
                await previous.DisposeAsync();
            }

            return loaded;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Removes the version from routing, waits for its queued requests, releases its session. The version
    /// stays in <see cref="Index"/> as UNAVAILABLE ("unloaded").</summary>
    /// <exception cref="InferenceException">NotFound when the version is not known.</exception>
    public async Task UnloadVersionAsync(string name, string version, CancellationToken cancellationToken = default)
    {
        var gate = _nameLocks.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var entry = Find(name, version)
                ?? throw new InferenceException(InferenceErrorKind.NotFound, $"model '{name}' version '{version}' is not known to this server");
            if (entry.Model is { } model)
            {
                Set(name, entry with { State = UnavailableState, Reason = "unloading", Model = null });
                HostingLog.Unloading(_logger, name, version);
                await model.DisposeAsync(); // drains: not cancellable once routing has moved on
            }

            Set(name, entry with { State = UnavailableState, Reason = "unloaded", Model = null });
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Unloads everything (draining each version).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var (name, versions) in _models)
        {
            foreach (var version in versions.Values.Where(v => v.Model is not null))
            {
                await UnloadVersionAsync(name, version.Version);
            }
        }
    }

    private async Task<OnnxModelVersion> OpenAndWarmAsync(string name, string version, string path, string? expectedDigest, CancellationToken cancellationToken)
    {
        var files = ModelFiles.Resolve(path, name, version);
        var given = OnnxModelVersion.NormalizeDigest(expectedDigest);
        var recorded = OnnxModelVersion.NormalizeDigest(files.ConfigDigest);
        if (given is not null && recorded is not null && given != recorded)
        {
            throw new InferenceException(InferenceErrorKind.Internal,
                $"model '{name}' version '{version}': expected digest {given} disagrees with config.json's lineage.onnxDigest {recorded}");
        }

        var digest = given ?? recorded ?? throw new InferenceException(InferenceErrorKind.Internal,
            $"model '{name}' version '{version}': no expected digest for {files.OnnxPath} (give one, or load a pulled model directory whose config.json has lineage.onnxDigest)");
        var logger = _loggers.CreateLogger<OnnxModelVersion>();
        var model = await OnnxModelVersion.OpenAsync(files.OnnxPath, digest, name, version, _options, logger, _time, cancellationToken);
        try
        {
            var mismatches = files.Mismatches(model.Descriptor);
            if (mismatches.Count > 0)
            {
                throw new InferenceException(InferenceErrorKind.Internal,
                    $"model '{name}' version '{version}': config.json and the ONNX file disagree: {string.Join("; ", mismatches)}");
            }

            // A pulled model directory may hold the reference profile written at training time (profile.json).
            if (Directory.Exists(path))
            {
                model.UseProfiler(MlOps.Serving.Monitoring.LiveProfiler.TryLoad(path, name, version, _options.ProfileSampleEvery, _time, logger, _options.ProfileMaxPerSecond));
            }

            await model.WarmUpAsync(cancellationToken);
            return model;
        }
        catch
        {
            await model.DisposeAsync();
            throw;
        }
    }

    private static bool TryGetNewestReady(ImmutableDictionary<string, VersionEntry> versions, out IServedModel model)
    {
        model = versions.Values.Where(v => v.Model is { IsReady: true }).OrderByDescending(v => v.Version, VersionOrder.Instance)
            .Select(v => v.Model!).FirstOrDefault()!;
        return model is not null;
    }

    private static VersionEntry? Route(TrafficSplit split, ImmutableDictionary<string, VersionEntry> versions)
    {
        var picked = split.Next();
        if (versions.TryGetValue(picked, out var entry) && entry.Model is { IsReady: true })
        {
            return entry;
        }

        foreach (var (version, _) in split.Weights)
        {
            if (versions.TryGetValue(version, out entry) && entry.Model is { IsReady: true })
            {
                return entry;
            }
        }

        return null;
    }

    private List<VersionEntry> Versions(string name) =>
        _models.TryGetValue(name, out var versions) ? [.. versions.Values] : [];

    private VersionEntry? Find(string name, string version) =>
        _models.TryGetValue(name, out var versions) && versions.TryGetValue(version, out var entry) ? entry : null;

    /// <summary>Replaces one version's entry; callers hold the name's lock, so read-modify-write cannot race.</summary>
    private void Set(string name, VersionEntry entry) =>
        _models.AddOrUpdate(name,
            _ => ImmutableDictionary.Create<string, VersionEntry>(StringComparer.Ordinal).SetItem(entry.Version, entry),
            (_, versions) => versions.SetItem(entry.Version, entry));

    private sealed record VersionEntry(string Version, string State, string Reason, OnnxModelVersion? Model);
}
