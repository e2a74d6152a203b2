using System.Collections.Concurrent;
using MlOps.Testing;

namespace MlOps.Coordinator.Tests.Storage;

/// <summary>
/// The test classes that need PostgreSQL share one server for the whole run (initdb and start cost about a second);
/// each class gets a database of its own and each test a fresh schema in it (<see cref="PostgresFixture.CreateSchemaAsync"/>).
/// Mark such a class <c>[Collection(PostgresCollection.Name)]</c> and <see cref="RequiresPostgresAttribute"/>, and its
/// tests <see cref="StoreFactAttribute"/>.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}

/// <summary>Starts the shared server, unless PostgreSQL is not installed (the tests are skipped then, and never ask).</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<Type, Lazy<Task<string>>> _databases = new();
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException(PostgresServer.MissingReason ?? "the server has not started");

    /// <summary>A new empty schema in <paramref name="testClass"/>'s database (created on its first test), as a
    /// connection string whose search path is that schema.</summary>
    public async Task<string> CreateSchemaAsync(Type testClass, string prefix)
    {
        var database = _databases.GetOrAdd(testClass, type => new Lazy<Task<string>>(() => Server.CreateDatabaseAsync(DatabaseName(type))));
        return await PostgresServer.CreateSchemaAsync(await database.Value, prefix);
    }

    public async Task InitializeAsync()
    {
        if (PostgresServer.MissingReason is null)
        {
            _server = await PostgresServer.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>The start of the class's database name: its name in lowercase letters and digits, at most 20.</summary>
    private static string DatabaseName(Type testClass) =>
        new(testClass.Name.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(20).ToArray());
}

/// <summary>The <see cref="StoreFactAttribute"/> tests of this class are skipped, with the reason, where PostgreSQL is not installed.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgresAttribute : Attribute;
