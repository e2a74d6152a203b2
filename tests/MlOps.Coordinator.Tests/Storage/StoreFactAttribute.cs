using MlOps.Testing;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace MlOps.Coordinator.Tests.Storage;

/// <summary>
/// A <see cref="FactAttribute"/> for store tests, which the shared contract runs against every store: in a class
/// marked <see cref="RequiresPostgresAttribute"/> it is skipped with <see cref="PostgresServer.MissingReason"/> when
/// PostgreSQL is not installed, and runs as a plain fact everywhere else.
/// </summary>
[XunitTestCaseDiscoverer("MlOps.Coordinator.Tests.Storage.StoreFactDiscoverer", "MlOps.Coordinator.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>Decides per test class, which a fact attribute on an inherited method cannot.</summary>
public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    protected override IXunitTestCase CreateTestCase(
        ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var needsPostgres = testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresPostgresAttribute)).Any();
        return needsPostgres && PostgresServer.MissingReason is { } reason
            ? new XunitSkippedDataRowTestCase(
                DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)
            : base.CreateTestCase(discoveryOptions, testMethod, factAttribute);
    }
}
