namespace MlOps.Artifacts.Packaging;

/// <summary>
/// A directory filled under a temporary name beside its destination and renamed into place when complete, so a
/// pull that fails (corrupt layer, registry gone) leaves no partial directory behind. An existing destination is
/// moved aside, replaced and then deleted.
/// </summary>
internal sealed class AtomicDirectory : IDisposable
{
    private readonly string _destination;
    private bool _committed;

    public AtomicDirectory(string destination)
    {
        _destination = Path.GetFullPath(destination).TrimEnd(Path.DirectorySeparatorChar);
        var parent = Path.GetDirectoryName(_destination) ?? throw new ArgumentException($"'{destination}' has no parent directory", nameof(destination));
        Directory.CreateDirectory(parent);
        Staging = Path.Combine(parent, $".tmp-{Path.GetFileName(_destination)}-{Guid.NewGuid():n}");
        Directory.CreateDirectory(Staging);
    }

    /// <summary>Where to write the files until <see cref="Commit"/>.</summary>
    public string Staging { get; }

    public string Commit()
    {
        string? aside = null;
        if (Directory.Exists(_destination))
        {
            aside = Path.Combine(Path.GetDirectoryName(_destination)!, $".old-{Path.GetFileName(_destination)}-{Guid.NewGuid():n}");
            Directory.Move(_destination, aside);
        }

        Directory.Move(Staging, _destination);
        _committed = true;
        if (aside is not null)
        {
            TryDelete(aside);
        }

        return _destination;
    }

    public void Dispose()
    {
        if (!_committed)
        {
            TryDelete(Staging);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
