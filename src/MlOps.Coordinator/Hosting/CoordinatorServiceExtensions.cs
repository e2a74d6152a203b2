using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlOps.Artifacts.Configuration;
using MlOps.Coordinator.Access;
using MlOps.Coordinator.Agents;
using MlOps.Coordinator.Api;
using MlOps.Coordinator.Configuration;
using MlOps.Coordinator.Datasets;
using MlOps.Coordinator.Discovery;
using MlOps.Coordinator.HighAvailability;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Leases;
using MlOps.Coordinator.Metrics;
using MlOps.Coordinator.Pipelines;
using MlOps.Coordinator.Registry;
using MlOps.Coordinator.Scheduling;
using MlOps.Coordinator.Storage;
using MlOps.Core.Datasets;
using MlOps.ServiceDefaults;

namespace MlOps.Coordinator.Hosting;

/// <summary>Composition of the coordinator host: options, logging, Kestrel, state, scheduling, leases and gRPC.</summary>
public static class CoordinatorServiceExtensions
{
    /// <summary>Adds everything the coordinator needs to <paramref name="builder"/>.</summary>
    public static WebApplicationBuilder AddCoordinator(this WebApplicationBuilder builder)
    {
        builder.AddCoordinatorOptions();
        builder.AddMlOpsLogging("coordinator", BootstrapLogDirectory(builder.Configuration));
        builder.ConfigureCoordinatorKestrel();
        builder.Services.AddCoordinatorCore();
        builder.Services.AddCoordinatorDiscovery(builder.Configuration);
        builder.Services.AddCoordinatorHighAvailability(builder.Configuration);
        builder.Services.AddCoordinatorMetricsListener();
        builder.Services.AddGrpc();
        builder.Services.AddCoordinatorAccessInterceptor();
        builder.Services.AddCoordinatorGrpcLimits();
        builder.Services.AddGrpcHealthChecks().AddCheck<StoreHealthCheck>("state-store");
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        // Under systemd (Type=notify): ready once the host has started, stopping on SIGTERM; a no-op elsewhere.
        builder.Services.AddSystemd();
        return builder;
    }

    /// <summary>Binds and validates <see cref="CoordinatorOptions"/>, <see cref="DatasetCatalogOptions"/> and
    /// <see cref="ArtifactStoreOptions"/> (section <c>Artifacts</c>) at start.</summary>
    public static WebApplicationBuilder AddCoordinatorOptions(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CoordinatorOptions>().BindConfiguration(CoordinatorOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CoordinatorOptions>, CoordinatorOptionsValidator>());
        builder.Services.AddOptions<DatasetCatalogOptions>()
            .Configure<IConfiguration>((options, configuration) =>
            {
                options.AddDefaults();
                configuration.GetSection(DatasetCatalogOptions.SectionName).Bind(options.Entries);
            })
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DatasetCatalogOptions>, DatasetCatalogOptionsValidator>());
        builder.Services.AddOptions<ArtifactStoreOptions>().BindConfiguration(ArtifactStoreOptions.SectionName).ValidateOnStart();
        builder.Services.AddOptions<SchedulingOptions>().BindConfiguration(SchedulingOptions.SectionName).ValidateOnStart();
        builder.Services.AddOptions<MlOps.Coordinator.Monitoring.MonitoringOptions>().BindConfiguration(MlOps.Coordinator.Monitoring.MonitoringOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MlOps.Coordinator.Monitoring.MonitoringOptions>, MlOps.Coordinator.Monitoring.MonitoringOptionsValidator>());
        builder.Services.AddOptions<MlOps.Coordinator.Retraining.RetrainingOptions>().BindConfiguration(MlOps.Coordinator.Retraining.RetrainingOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MlOps.Coordinator.Retraining.RetrainingOptions>, MlOps.Coordinator.Retraining.RetrainingOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SchedulingOptions>, SchedulingOptionsValidator>());
        builder.Services.AddPipelineOptions();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ArtifactStoreOptions>, ArtifactStoreOptionsValidator>());
        return builder;
    }

    /// <summary>
    /// Kestrel with one HTTP/2-only endpoint at <see cref="CoordinatorOptions.Listen"/>: over TLS with the coordinator's
    /// certificate when <see cref="CoordinatorOptions.Tls"/> is set (a client certificate is optional, but one that is
    /// presented must chain to the cluster CA with clientAuth, or the handshake fails), else h2c.
    /// </summary>
    public static WebApplicationBuilder ConfigureCoordinatorKestrel(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Kestrel is configured while the app is built, before options are validated at start: bind a copy here
            // and leave a bad value to the start-up validation, which reports every error at once.
            var options = new CoordinatorOptions();
            kestrel.ApplicationServices.GetRequiredService<IConfiguration>().GetSection(CoordinatorOptions.SectionName).Bind(options);
            if (!ListenAddress.TryParse(options.Listen, out var address, out _) || address.IsHttps != options.Tls.Enabled)
            {
                return;
            }

            MlOps.Core.Certificates.TlsCredentials? tls = null;
            if (address.IsHttps)
            {
                try
                {
                    // Held for the life of the process: Kestrel presents the certificate on every handshake.
                    tls = options.Tls.Load();
                }
                catch (MlOps.Core.Certificates.CertificateException)
                {
                    return;
                }
            }

            var refusals = kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CoordinatorTls).FullName!);
            void Http2Only(ListenOptions listen)
            {
                listen.Protocols = HttpProtocols.Http2;
                if (tls is not null)
                {
                    listen.UseHttps(CoordinatorTls.HttpsOptions(tls, refusals));
                }
            }

            if (address.IsAnyAddress)
            {
                kestrel.ListenAnyIP(address.Port, Http2Only);
            }
            else if (address.IsLocalhost && address.Port != 0)
            {
                kestrel.ListenLocalhost(address.Port, Http2Only);
            }
            else
            {
                // Kestrel cannot pick a dynamic port for "localhost" (two addresses), so port 0 binds IPv4 loopback.
                kestrel.Listen(address.Address ?? System.Net.IPAddress.Loopback, address.Port, Http2Only);
            }
        });
        return builder;
    }

    /// <summary>The coordinator's services without the web host parts (also used by tests).</summary>
    public static IServiceCollection AddCoordinatorCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MlOps.Coordinator.HighAvailability.Leadership>();
        services.AddCoordinatorStore();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<ArtifactStoreOptions>, ArtifactStoreOptionsSetup>());
        services.TryAddSingleton(sp => ArtifactStoreFactory.Create(
            sp.GetRequiredService<IOptions<ArtifactStoreOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new DatasetCatalog(sp.GetRequiredService<IOptions<DatasetCatalogOptions>>().Value.Entries));
        services.TryAddSingleton<DatasetCache>();
        services.TryAddSingleton<DatasetInspector>();
        services.TryAddSingleton<DatasetResolver>();
        services.TryAddSingleton<DatasetManifestReader>();
        services.TryAddSingleton<DatasetRegistrar>();
        services.TryAddSingleton<ModelRegistrar>();
        services.TryAddSingleton<JobAssignments>();
        services.TryAddSingleton<MlOps.Core.Jobs.JobIdGenerator>();
        services.TryAddSingleton<JobEventHub>();
        services.TryAddSingleton<SchedulerSignal>();
        services.TryAddSingleton<WaitingReasons>();
        services.TryAddSingleton<JobUpdater>();
        services.TryAddSingleton<SubmitChecks>();
        services.TryAddSingleton<JobSubmitter>();
        services.TryAddSingleton<JobCanceller>();
        services.TryAddSingleton<JobWatcher>();
        services.TryAddSingleton<AgentDirectory>();
        services.TryAddSingleton<AgentSessionRegistry>();
        services.TryAddSingleton<AgentLocks>();
        services.TryAddSingleton<AgentLeaseTable>();
        services.TryAddSingleton<AgentLossHandler>();
        services.TryAddSingleton<AgentConnections>();
        services.TryAddSingleton<AgentMessages>();
        services.TryAddSingleton<PreemptionTracker>();
        services.TryAddSingleton<SnapshotSource>();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<SchedulingOptions>>().Value.CreatePolicy());
        services.TryAddSingleton<MlOps.Coordinator.Deployments.DeploymentSignal>();
        services.TryAddSingleton<MlOps.Coordinator.Deployments.ServingFleet>();
        services.TryAddSingleton<MlOps.Coordinator.Deployments.DeploymentTargets>();
        services.TryAddSingleton<MlOps.Coordinator.Deployments.DeploymentReconciler>();
        services.TryAddSingleton<MlOps.Coordinator.Deployments.DeploymentCommands>();
        services.TryAddSingleton<MlOps.Coordinator.Monitoring.IReferenceProfiles, MlOps.Coordinator.Monitoring.ArtifactReferenceProfiles>();
        services.TryAddSingleton<MlOps.Coordinator.Monitoring.DriftMonitor>();
        services.TryAddSingleton<MlOps.Coordinator.Retraining.RetrainingController>();
        services.TryAddSingleton<CoordinatorStartup>();
        services.TryAddSingleton<SchedulerLoop>();
        services.TryAddSingleton<LeaseMonitor>();
        services.TryAddSingleton<ListeningAnnouncer>();
        services.AddCoordinatorMetrics();

        // Order matters: hosted services start in registration order, and recovery must finish first.
        services.AddHostedService(sp => sp.GetRequiredService<CoordinatorStartup>());
        services.AddHostedService(sp => sp.GetRequiredService<SchedulerLoop>());
        services.AddHostedService(sp => sp.GetRequiredService<LeaseMonitor>());
        services.AddHostedService(sp => sp.GetRequiredService<MlOps.Coordinator.Deployments.DeploymentReconciler>());
        services.AddHostedService(sp => sp.GetRequiredService<MlOps.Coordinator.Monitoring.DriftMonitor>());
        services.AddHostedService(sp => sp.GetRequiredService<MlOps.Coordinator.Retraining.RetrainingController>());
        services.AddPipelines();
        services.AddCoordinatorAccess();
        services.AddHostedService(sp => sp.GetRequiredService<ListeningAnnouncer>());
        return services;
    }

    /// <summary>
    /// Message limits, explicit for every service: <see cref="MaxMessageBytes"/> (4 MiB) per received message, enough
    /// for a job spec, a pipeline's YAML (itself limited to 1 MiB) and an agent's batch of logs or metrics. Blob chunks are
    /// 1 MiB (plus framing) and manifests up to 4 MiB, so the artifact service takes messages up to
    /// <see cref="MaxArtifactMessageBytes"/>. Streaming calls have no overall body limit (gRPC lifts Kestrel's for them):
    /// a PushBlob stream is bounded instead by <c>Artifacts:MaxBlobBytes</c> (20 GiB by default), checked as it arrives.
    /// A larger message is refused with RESOURCE_EXHAUSTED before it is parsed.
    /// </summary>
    public static IServiceCollection AddCoordinatorGrpcLimits(this IServiceCollection services)
    {
        services.AddGrpc(o => o.MaxReceiveMessageSize = MaxMessageBytes).AddServiceOptions<ArtifactGrpcService>(o =>
        {
            o.MaxReceiveMessageSize = MaxArtifactMessageBytes;
            o.MaxSendMessageSize = MaxArtifactMessageBytes;
        });
        return services;
    }

    /// <summary>Largest message any coordinator service accepts (the artifact service excepted): 4 MiB.</summary>
    public const int MaxMessageBytes = 4 * 1024 * 1024;

    /// <summary>Largest message the artifact service accepts or sends: a 4 MiB manifest with room for framing.</summary>
    public const int MaxArtifactMessageBytes = 8 * 1024 * 1024;

    /// <summary>The log directory from configuration as it stands before the host is built; null (console only)
    /// when the data directory is not an absolute path, which options validation then reports.</summary>
    private static string? BootstrapLogDirectory(IConfiguration configuration)
    {
        var options = new CoordinatorOptions();
        configuration.GetSection(CoordinatorOptions.SectionName).Bind(options);
        return !string.IsNullOrWhiteSpace(options.DataDirectory) && Path.IsPathFullyQualified(options.DataDirectory)
            ? options.LogDirectory
            : null;
    }
}
