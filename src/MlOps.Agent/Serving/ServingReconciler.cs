using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlOps.Agent.Discovery;
using MlOps.Agent.Jobs;
using MlOps.Agent.Options;
using MlOps.Contracts;
using MlOps.Serving.Hosting.Repository;

namespace MlOps.Agent.Serving;

/// <summary>
/// Applies the coordinator's <see cref="ServingAssignment"/> (the whole desired set of served versions on this node)
/// to the model repository: routes first, then loads, then drains. A listed version that is not serving is pulled
/// into the <see cref="ModelCache"/>, verified, loaded and warmed while the versions already serving keep taking
/// traffic; the new traffic split applies at once (the coordinator only routes to versions reported READY); a
/// version no longer listed leaves routing at once and is unloaded after <see cref="ServingEndpoints.DrainDelay"/>,
/// so requests already routed to it finish. Every change is reported back as a <see cref="ServingStatus"/>.
/// Models the coordinator never assigned (loaded through the protocol's repository API) are left alone.
/// </summary>
internal sealed partial class ServingReconciler(
    IAgentOutbox outbox,
    IOptions<AgentOptions> options,
    TimeProvider time,
    ILogger<ServingReconciler> logger) : IServingView, IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _managed = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Name, string Version), Task> _loads = [];
    private readonly Dictionary<(string Name, string Version), string> _pullFailures = [];
    private readonly Dictionary<(string Name, string Version), CancellationTokenSource> _drains = [];
    private readonly CancellationTokenSource _stopping = new();
    private Dictionary<(string Name, string Version), ServedVersion> _desired = [];
    private ModelRepository? _repository;
    private ModelCache? _cache;
    private long _generation;

    /// <summary>Where this node serves; null when serving is disabled (the hello then offers no endpoints).</summary>
    public ServingAddresses? Addresses { get; private set; }

    /// <inheritdoc />
    public event EventHandler? Changed;

    /// <summary>Called by the serving host once its endpoints listen.</summary>
    public void Attach(ModelRepository repository, ModelCache cache, ServingAddresses addresses)
    {
        lock (_lock)
        {
            _repository = repository;
            _cache = cache;
            Addresses = addresses;
        }
    }

    public void Apply(ServingAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        lock (_lock)
        {
            if (_repository is null || _cache is null)
            {
                LogServingDisabled(assignment.Models.Count);
                _generation = assignment.Generation;
                Report();
                return;
            }

            _generation = assignment.Generation;
            var desired = new Dictionary<(string, string), ServedVersion>();
            foreach (var model in assignment.Models)
            {
                _managed.Add(model.Name);
                _repository.SetRoutes(model.Name, [.. model.Versions.Select(v => KeyValuePair.Create(VersionKey(v.Version), v.Percent))]);
                foreach (var version in model.Versions)
                {
                    desired[(model.Name, VersionKey(version.Version))] = version;
                }
            }

            foreach (var name in _managed.Where(n => assignment.Models.All(m => m.Name != n)))
            {
                _repository.SetRoutes(name, []);
            }

            _desired = desired;
            foreach (var (key, version) in desired)
            {
                if (_drains.Remove(key, out var drain))
                {
                    drain.Cancel();
                    drain.Dispose();
                }

                if (!_loads.ContainsKey(key) && !IsReady(key))
                {
                    _pullFailures.Remove(key);
                    _loads[key] = LoadAsync(key, version);
                }
            }

            foreach (var entry in _repository.Index())
            {
                var key = (entry.Name, entry.Version);
                if (_managed.Contains(entry.Name) && !desired.ContainsKey(key) && entry.Reason != "unloaded" && !_drains.ContainsKey(key))
                {
                    var drain = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                    _drains[key] = drain;
                    _ = DrainAsync(key, drain);
                }
            }

            LogApplied(assignment.Generation, desired.Count);
            Report();
        }
    }

    /// <summary>Every READY version in the repository that keeps a live profile (assigned or not), for the
    /// <see cref="ServingWindowReporter"/>; empty while serving is off.</summary>
    public IReadOnlyList<ProfiledVersion> ProfiledVersions()
    {
        ModelRepository? repository;
        lock (_lock)
        {
            repository = _repository;
        }

        if (repository is null)
        {
            return [];
        }

        var versions = new List<ProfiledVersion>();
        foreach (var entry in repository.Index())
        {
            if (entry.State == ModelRepository.ReadyState && repository.TryGet(entry.Name, entry.Version, out var served)
                && served is MlOps.Serving.Hosting.OnnxModelVersion { Profiler: { } profiler } version)
            {
                versions.Add(new ProfiledVersion(entry.Name, entry.Version, profiler, version.Predictions));
            }
        }

        return versions;
    }

    /// <summary>The repository's view of the assigned models, for the coordinator (also sent after each hello).</summary>
    public ServingStatus Status()
    {
        lock (_lock)
        {
            var status = new ServingStatus { Generation = _generation };
            if (_repository is null)
            {
                return status;
            }

            var listed = new HashSet<(string, string)>();
            foreach (var entry in _repository.Index().Where(e => _managed.Contains(e.Name) && e.Reason != "unloaded"))
            {
                if (!int.TryParse(entry.Version, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    continue;
                }

                listed.Add((entry.Name, entry.Version));
                var (state, reason) = entry.State != ModelRepository.ReadyState && _loads.ContainsKey((entry.Name, entry.Version))
                    ? (ModelRepository.LoadingState, "loading again") // a retry of a failed load, or a reload after an unload
                    : (entry.State, entry.Reason);
                status.Versions.Add(new ServedVersionStatus { Name = entry.Name, Version = number, State = state, Reason = reason });
            }

            foreach (var (name, version) in _desired.Keys.Where(k => !listed.Contains(k)))
            {
                var failed = _pullFailures.TryGetValue((name, version), out var reason);
                status.Versions.Add(new ServedVersionStatus
                {
                    Name = name,
                    Version = int.Parse(version, CultureInfo.InvariantCulture),
                    State = failed ? ModelRepository.UnavailableState : ModelRepository.LoadingState,
                    Reason = failed ? reason : "pulling the artifact",
                });
            }

            return status;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<ReadyVersion> ReadyVersions()
    {
        lock (_lock)
        {
            // A draining version has left routing: new clients must not find it, although it still answers for a moment.
            return _repository is null
                ? []
                : [.. _repository.Index()
                    .Where(e => e.State == ModelRepository.ReadyState && !_drains.ContainsKey((e.Name, e.Version)))
                    .Select(e => new ReadyVersion(e.Name, e.Version))];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Task[] loads;
        lock (_lock)
        {
            loads = [.. _loads.Values];
        }

        await Task.WhenAll(loads.Select(async l =>
        {
            try
            {
                await l;
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }));
        _stopping.Dispose();
    }

    private static string VersionKey(int version) => version.ToString(CultureInfo.InvariantCulture);

    private bool IsReady((string Name, string Version) key) =>
        _repository!.Index().Any(e => e.Name == key.Name && e.Version == key.Version && e.State == ModelRepository.ReadyState);

    private async Task LoadAsync((string Name, string Version) key, ServedVersion version)
    {
        await Task.Yield(); // never run the pull under the caller's lock
        var repository = _repository!;
        try
        {
            LogLoading(key.Name, key.Version, version.ManifestDigest);
            var directory = await _cache!.EnsureAsync(version.Repository, version.ManifestDigest, _stopping.Token);
            Report();
            await repository.LoadVersionAsync(key.Name, key.Version, directory, version.OnnxDigest, _stopping.Token);
            LogLoaded(key.Name, key.Version);
            lock (_lock)
            {
                // Left the assignment while it was loading: drain it like any other version that left.
                if (!_desired.ContainsKey(key) && !_drains.ContainsKey(key))
                {
                    var drain = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                    _drains[key] = drain;
                    _ = DrainAsync(key, drain);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            LogLoadFailed(key.Name, key.Version, ex.Message);
            lock (_lock)
            {
                if (!repository.Index().Any(e => e.Name == key.Name && e.Version == key.Version))
                {
                    _pullFailures[key] = $"pulling {version.Repository}@{version.ManifestDigest} failed: {ex.Message}";
                }
            }
        }
        finally
        {
            lock (_lock)
            {
                _loads.Remove(key);
            }
        }

        Report();
    }

    private async Task DrainAsync((string Name, string Version) key, CancellationTokenSource drain)
    {
        try
        {
            await Task.Delay(options.Value.Serving.DrainDelay, time, drain.Token);
            LogUnloading(key.Name, key.Version);
            await _repository!.UnloadVersionAsync(key.Name, key.Version, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            return; // assigned again, or stopping
        }
        catch (Exception ex)
        {
            LogLoadFailed(key.Name, key.Version, "unloading: " + ex.Message);
        }
        finally
        {
            lock (_lock)
            {
                if (_drains.TryGetValue(key, out var current) && ReferenceEquals(current, drain))
                {
                    _drains.Remove(key);
                    drain.Dispose();
                }
            }
        }

        Report();
    }

    private void Report()
    {
        outbox.Post(new AgentMessage { Serving = Status() });
        Changed?.Invoke(this, EventArgs.Empty);
    }

    [LoggerMessage(EventId = 2110, Level = LogLevel.Warning, Message = "Ignoring a serving assignment of {Models} model(s): this agent serves nothing (set Agent:Serving:GrpcListen)")]
    private partial void LogServingDisabled(int models);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Information, Message = "Serving assignment {Generation}: {Versions} version(s)")]
    private partial void LogApplied(long generation, int versions);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Information, Message = "Loading {Model} version {Version} (manifest {Manifest})")]
    private partial void LogLoading(string model, string version, string manifest);

    [LoggerMessage(EventId = 2113, Level = LogLevel.Information, Message = "{Model} version {Version} is ready")]
    private partial void LogLoaded(string model, string version);

    [LoggerMessage(EventId = 2114, Level = LogLevel.Warning, Message = "{Model} version {Version} failed: {Reason}")]
    private partial void LogLoadFailed(string model, string version, string reason);

    [LoggerMessage(EventId = 2115, Level = LogLevel.Information, Message = "Draining done; unloading {Model} version {Version}")]
    private partial void LogUnloading(string model, string version);
}
