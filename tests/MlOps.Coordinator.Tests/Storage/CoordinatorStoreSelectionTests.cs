using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MlOps.Coordinator.Configuration;
using MlOps.Coordinator.Storage;
using MlOps.Coordinator.Storage.Postgres;
using MlOps.Testing;

namespace MlOps.Coordinator.Tests.Storage;

/// <summary><c>Coordinator:Store</c> and <c>Coordinator:PostgresConnectionString</c>: validated at start, and the one
/// store they name registered under every store interface.</summary>
public sealed class CoordinatorStoreSelectionTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void AddCoordinatorStore_Defaults_OneSqliteStoreBehindEveryInterface()
    {
        using var services = Build(_ => { });

        var store = services.GetRequiredService<ICoordinatorStore>();

        Assert.IsType<SqliteCoordinatorStore>(store);
        Assert.Same(store, services.GetRequiredService<IRegistryStore>());
        Assert.Same(store, services.GetRequiredService<IDeploymentStore>());
    }

    [Fact]
    public void AddCoordinatorStore_Postgres_PostgresStoreWithoutConnectingYet()
    {
        using var services = Build(o =>
        {
            o.Store = CoordinatorOptions.PostgresStore;
            o.PostgresConnectionString = "Host=127.0.0.1;Port=1;Database=mlops";
        });

        var store = services.GetRequiredService<ICoordinatorStore>();

        Assert.Equal("127.0.0.1:1/mlops", Assert.IsType<PostgresCoordinatorStore>(store).Database);
        Assert.Same(store, services.GetRequiredService<IDeploymentStore>());
    }

    [Fact]
    public void AddCoordinatorStore_PostgresWithoutConnectionString_EveryErrorAtResolve()
    {
        using var services = Build(o =>
        {
            o.Store = CoordinatorOptions.PostgresStore;
            o.DataDirectory = "relative";
        });

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<ICoordinatorStore>());

        Assert.Equal(
            ["Coordinator:DataDirectory must be an absolute path, got 'relative'", "Coordinator:PostgresConnectionString is required when Store is 'postgres'"],
            ex.Failures);
    }

    [Theory]
    [InlineData("Postgres")]
    [InlineData("mysql")]
    public void Validate_UnknownStore_NamesTheChoices(string store)
    {
        var result = new CoordinatorOptionsValidator().Validate(null, new CoordinatorOptions { Store = store });

        Assert.Equal([$"Coordinator:Store must be 'sqlite' or 'postgres', got '{store}'"], result.Failures);
    }

    [Fact]
    public void Validate_SqliteWithStrayConnectionString_Succeeds()
    {
        var result = new CoordinatorOptionsValidator().Validate(null, new CoordinatorOptions { PostgresConnectionString = "not parsed" });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_PostgresMalformedConnectionString_ErrorWithoutThePassword()
    {
        var options = new CoordinatorOptions { Store = CoordinatorOptions.PostgresStore, PostgresConnectionString = "Host=db;Password=hunter2;Bogus=1" };

        var failure = Assert.Single(new CoordinatorOptionsValidator().Validate(null, options).Failures!);

        Assert.StartsWith("Coordinator:PostgresConnectionString is not a valid PostgreSQL connection string", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", failure, StringComparison.Ordinal);
    }

    private ServiceProvider Build(Action<CoordinatorOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        services.AddOptions<CoordinatorOptions>().Configure(o =>
        {
            o.DataDirectory = _directory.Path;
            configure(o);
        });
        services.AddSingleton<IValidateOptions<CoordinatorOptions>, CoordinatorOptionsValidator>();
        services.AddCoordinatorStore();
        return services.BuildServiceProvider();
    }
}
