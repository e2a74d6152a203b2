namespace MlOps.Coordinator.Storage;

/// <summary>
/// The SQLite schema as an ordered list of migrations. Each one runs in its own transaction together with
/// the row that records it in <c>schema_version</c>, so a crash leaves the database at a whole version.
/// Append new migrations; never edit or renumber an applied one.
/// </summary>
internal static class SqliteSchema
{
    public sealed record Migration(int Version, string Description, string Sql);

    public const string CreateVersionTable =
        """
        CREATE TABLE IF NOT EXISTS schema_version (
            version     INTEGER PRIMARY KEY,
            description TEXT    NOT NULL,
            applied_at  TEXT    NOT NULL
        );
        """;

    public static IReadOnlyList<Migration> Migrations { get; } =
    [
        new(1, "jobs, job events and agents",
            """
            CREATE TABLE jobs (
                id             TEXT    PRIMARY KEY,
                created_seq    INTEGER NOT NULL UNIQUE,
                state          INTEGER NOT NULL,
                owner          TEXT    NOT NULL,
                name           TEXT    NOT NULL,
                priority       INTEGER NOT NULL,
                agent_id       TEXT    NULL,
                attempt        INTEGER NOT NULL,
                max_attempts   INTEGER NOT NULL,
                created_at     INTEGER NOT NULL,
                updated_at     INTEGER NOT NULL,
                last_event_seq INTEGER NOT NULL,
                spec           BLOB    NOT NULL,
                status         BLOB    NOT NULL
            );
            CREATE INDEX ix_jobs_state_priority ON jobs (state, priority DESC, created_seq);
            CREATE INDEX ix_jobs_owner ON jobs (owner, created_seq);
            CREATE INDEX ix_jobs_agent ON jobs (agent_id, state) WHERE agent_id IS NOT NULL;

            CREATE TABLE job_events (
                job_id  TEXT    NOT NULL REFERENCES jobs (id),
                seq     INTEGER NOT NULL,
                time    INTEGER NOT NULL,
                kind    INTEGER NOT NULL,
                payload BLOB    NOT NULL,
                PRIMARY KEY (job_id, seq)
            ) WITHOUT ROWID;

            CREATE TABLE agents (
                agent_id  TEXT    PRIMARY KEY,
                host      TEXT    NOT NULL,
                version   TEXT    NOT NULL,
                status    INTEGER NOT NULL,
                last_seen INTEGER NOT NULL,
                capacity  BLOB    NOT NULL
            );
            """),
        new(2, "model registry and dataset versions",
            """
            CREATE TABLE models (
                name       TEXT    PRIMARY KEY,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            );

            CREATE TABLE model_versions (
                model           TEXT    NOT NULL REFERENCES models (name),
                version         INTEGER NOT NULL,
                repository      TEXT    NOT NULL,
                manifest_digest TEXT    NOT NULL,
                onnx_digest     TEXT    NOT NULL,
                onnx_bytes      INTEGER NOT NULL,
                metrics         BLOB    NOT NULL,
                lineage         BLOB    NOT NULL,
                created_at      INTEGER NOT NULL,
                job_id          TEXT    NULL UNIQUE,
                PRIMARY KEY (model, version)
            ) WITHOUT ROWID;

            CREATE TABLE model_aliases (
                model      TEXT    NOT NULL,
                alias      TEXT    NOT NULL,
                version    INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (model, alias),
                FOREIGN KEY (model, version) REFERENCES model_versions (model, version)
            ) WITHOUT ROWID;

            CREATE TABLE dataset_versions (
                name        TEXT    NOT NULL,
                version     INTEGER NOT NULL,
                digest      TEXT    NOT NULL,
                repository  TEXT    NOT NULL,
                files       BLOB    NOT NULL,
                format      TEXT    NOT NULL,
                train_count INTEGER NOT NULL,
                test_count  INTEGER NOT NULL,
                created_at  INTEGER NOT NULL,
                PRIMARY KEY (name, version),
                UNIQUE (name, digest)
            ) WITHOUT ROWID;
            CREATE INDEX ix_dataset_versions_digest ON dataset_versions (digest);
            """),
        new(3, "deployments",
            """
            CREATE TABLE deployments (
                name       TEXT    PRIMARY KEY,
                record     BLOB    NOT NULL,
                updated_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            """),
        new(4, "agent drain",
            """
            ALTER TABLE agents ADD COLUMN drained INTEGER NOT NULL DEFAULT 0;
            """),
        new(5, "write fence",
            """
            CREATE TABLE write_fence (
                id         INTEGER PRIMARY KEY CHECK (id = 1),
                epoch      INTEGER NOT NULL,
                holder     TEXT    NOT NULL,
                claimed_at INTEGER NOT NULL
            );
            INSERT INTO write_fence (id, epoch, holder, claimed_at) VALUES (1, 0, '', 0);
            """),
        new(6, "retraining",
            """
            CREATE TABLE retraining_policies (
                model      TEXT    PRIMARY KEY,
                record     BLOB    NOT NULL,
                updated_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE retraining_runs (
                id         TEXT    PRIMARY KEY,
                model      TEXT    NOT NULL,
                created_at INTEGER NOT NULL,
                record     BLOB    NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX ix_retraining_runs_model ON retraining_runs (model, created_at);
            """),
        new(7, "pipelines",
            """
            CREATE TABLE pipeline_runs (
                id         TEXT    PRIMARY KEY,
                pipeline   TEXT    NOT NULL,
                created_at INTEGER NOT NULL,
                record     BLOB    NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX ix_pipeline_runs_pipeline ON pipeline_runs (pipeline, created_at);
            CREATE INDEX ix_pipeline_runs_created ON pipeline_runs (created_at);
            CREATE TABLE pipeline_step_cache (
                cache_key  TEXT    PRIMARY KEY,
                record     BLOB    NOT NULL,
                created_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            """),
        new(8, "api tokens and audit log",
            """
            CREATE TABLE api_tokens (
                id          TEXT    PRIMARY KEY,
                secret_hash BLOB    NOT NULL UNIQUE,
                created_at  INTEGER NOT NULL,
                record      BLOB    NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE audit_log (
                sequence  INTEGER PRIMARY KEY AUTOINCREMENT,
                at        INTEGER NOT NULL,
                principal TEXT    NOT NULL,
                method    TEXT    NOT NULL,
                record    BLOB    NOT NULL
            );
            CREATE INDEX ix_audit_log_principal ON audit_log (principal, sequence);
            CREATE INDEX ix_audit_log_at ON audit_log (at);
            """),
    ];

    public static int LatestVersion => Migrations[^1].Version;
}
