using System.Collections.Concurrent;
using System.Globalization;
using MlOps.Serving.Models;

namespace MlOps.Serving.Tests.Protocol.Support;

/// <summary>
/// Test double of the model repository: versions held in memory, "loaded" or not. A null version picks the
/// highest-numbered loaded, ready version; load and unload flip every version of a model.
/// </summary>
internal sealed class InMemoryRepositoryForTests : IModelRepository
{
    private readonly ConcurrentDictionary<(string Name, string Version), Entry> _models = new();

    public InMemoryRepositoryForTests Add(IServedModel model, bool loaded = true)
    {
        _models[(model.Descriptor.Name, model.Descriptor.Version)] = new Entry(model, loaded);
        return this;
    }

    public IReadOnlyList<ModelIndexEntry> Index() => _models.Values
        .OrderBy(e => e.Model.Descriptor.Name, StringComparer.Ordinal)
        .ThenBy(e => e.Model.Descriptor.Version, StringComparer.Ordinal)
        .Select(e => new ModelIndexEntry(
            e.Model.Descriptor.Name,
            e.Model.Descriptor.Version,
            !e.Loaded ? "UNAVAILABLE" : e.Model.IsReady ? "READY" : "LOADING",
            e.Loaded ? string.Empty : "unloaded"))
        .ToList();

    public bool TryGet(string name, string? version, out IServedModel model)
    {
        var match = string.IsNullOrEmpty(version)
            ? _models.Values
                .Where(e => e.Loaded && e.Model.IsReady && e.Model.Descriptor.Name == name)
                .OrderByDescending(e => long.TryParse(e.Model.Descriptor.Version, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1)
                .FirstOrDefault()
            : _models.TryGetValue((name, version), out var entry) && entry.Loaded ? entry : null;
        model = match?.Model!;
        return match is not null;
    }

    public Task LoadAsync(string name, CancellationToken cancellationToken) => SetLoaded(name, true);

    public Task UnloadAsync(string name, CancellationToken cancellationToken) => SetLoaded(name, false);

    private Task SetLoaded(string name, bool loaded)
    {
        var keys = _models.Keys.Where(k => k.Name == name).ToList();
        if (keys.Count == 0)
        {
            throw new InferenceException(InferenceErrorKind.NotFound, $"unknown model '{name}'");
        }

        foreach (var key in keys)
        {
            _models[key] = _models[key] with { Loaded = loaded };
        }

        return Task.CompletedTask;
    }

    private sealed record Entry(IServedModel Model, bool Loaded);
}
