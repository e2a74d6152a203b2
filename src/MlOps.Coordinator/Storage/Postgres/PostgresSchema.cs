namespace MlOps.Coordinator.Storage.Postgres;

/// <summary>
/// The PostgreSQL schema as an ordered list of migrations, version for version the same tables as
/// <see cref="SqliteSchema"/>: protobuf blobs are <c>bytea</c>, times <c>bigint</c> Unix milliseconds, and text keys use
/// the <c>"C"</c> collation so that names sort bytewise, as SQLite sorts them, whatever the database's locale.
/// Each migration runs in its own transaction together with its <c>schema_version</c> row. Append new migrations;
/// never edit or renumber an applied one.
/// </summary>
internal static class PostgresSchema
{
    public sealed record Migration(int Version, string Description, string Sql);

    public const string CreateVersionTable =
        """
        CREATE TABLE IF NOT EXISTS schema_version (
            version     integer PRIMARY KEY,
            description text    NOT NULL,
            applied_at  bigint  NOT NULL
        );
        """;

    /// <summary>
    /// Unique constraints that a concurrent transaction can win by taking the same key or number first: the same job's
    /// model version registered twice at once, or a number taken past the locks that normally queue numbering. A write
    /// that violates one of them is retried; by then the winner has committed, so the retry finds its row or numbers
    /// after it. Any other violation (a duplicate job id) is an error for the caller.
    /// </summary>
    public static IReadOnlySet<string> RetryableConstraints { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "model_versions_pkey",
        "model_versions_job_id_key",
        "dataset_versions_pkey",
        "dataset_versions_name_digest_key",
    };

    public static IReadOnlyList<Migration> Migrations { get; } =
    [
        new(1, "jobs, job events and agents",
            """
            CREATE TABLE jobs (
                id             text COLLATE "C" PRIMARY KEY,
                created_seq    bigint  NOT NULL CONSTRAINT jobs_created_seq_key UNIQUE,
                state          integer NOT NULL,
                owner          text COLLATE "C" NOT NULL,
                name           text COLLATE "C" NOT NULL,
                priority       integer NOT NULL,
                agent_id       text COLLATE "C" NULL,
                attempt        integer NOT NULL,
                max_attempts   integer NOT NULL,
                created_at     bigint  NOT NULL,
                updated_at     bigint  NOT NULL,
                last_event_seq bigint  NOT NULL,
                spec           bytea   NOT NULL,
                status         bytea   NOT NULL
            );
            CREATE INDEX ix_jobs_state_priority ON jobs (state, priority DESC, created_seq);
            CREATE INDEX ix_jobs_owner ON jobs (owner, created_seq);
            CREATE INDEX ix_jobs_agent ON jobs (agent_id, state) WHERE agent_id IS NOT NULL;

            -- One row: submissions take their created_seq under its lock, so numbers follow commit order without gaps
            -- however many coordinators submit at once (SQLite's single writer gives the same).
            CREATE TABLE job_counter (
                only_row         boolean PRIMARY KEY DEFAULT true CHECK (only_row),
                last_created_seq bigint  NOT NULL
            );
            INSERT INTO job_counter (last_created_seq) VALUES (0);

            CREATE TABLE job_events (
                job_id  text COLLATE "C" NOT NULL REFERENCES jobs (id),
                seq     bigint  NOT NULL,
                time    bigint  NOT NULL,
                kind    integer NOT NULL,
                payload bytea   NOT NULL,
                PRIMARY KEY (job_id, seq)
            );

            CREATE TABLE agents (
                agent_id  text COLLATE "C" PRIMARY KEY,
                host      text    NOT NULL,
                version   text    NOT NULL,
                status    integer NOT NULL,
                last_seen bigint  NOT NULL,
                capacity  bytea   NOT NULL
            );
            """),
        new(2, "model registry and dataset versions",
            """
            CREATE TABLE models (
                name       text COLLATE "C" PRIMARY KEY,
                created_at bigint NOT NULL,
                updated_at bigint NOT NULL
            );

            CREATE TABLE model_versions (
                model           text COLLATE "C" NOT NULL REFERENCES models (name),
                version         integer NOT NULL,
                repository      text    NOT NULL,
                manifest_digest text    NOT NULL,
                onnx_digest     text    NOT NULL,
                onnx_bytes      bigint  NOT NULL,
                metrics         bytea   NOT NULL,
                lineage         bytea   NOT NULL,
                created_at      bigint  NOT NULL,
                job_id          text COLLATE "C" NULL CONSTRAINT model_versions_job_id_key UNIQUE,
                CONSTRAINT model_versions_pkey PRIMARY KEY (model, version)
            );

            CREATE TABLE model_aliases (
                model      text COLLATE "C" NOT NULL,
                alias      text COLLATE "C" NOT NULL,
                version    integer NOT NULL,
                updated_at bigint  NOT NULL,
                PRIMARY KEY (model, alias),
                FOREIGN KEY (model, version) REFERENCES model_versions (model, version)
            );

            CREATE TABLE dataset_versions (
                name        text COLLATE "C" NOT NULL,
                version     integer NOT NULL,
                digest      text COLLATE "C" NOT NULL,
                repository  text    NOT NULL,
                files       bytea   NOT NULL,
                format      text    NOT NULL,
                train_count bigint  NOT NULL,
                test_count  bigint  NOT NULL,
                created_at  bigint  NOT NULL,
                CONSTRAINT dataset_versions_pkey PRIMARY KEY (name, version),
                CONSTRAINT dataset_versions_name_digest_key UNIQUE (name, digest)
            );
            CREATE INDEX ix_dataset_versions_digest ON dataset_versions (digest);
            """),
        new(3, "deployments",
            """
            CREATE TABLE deployments (
                name       text COLLATE "C" PRIMARY KEY,
                record     bytea  NOT NULL,
                updated_at bigint NOT NULL
            );
            """),
        new(4, "agent drain",
            """
            ALTER TABLE agents ADD COLUMN drained boolean NOT NULL DEFAULT false;
            """),
        new(5, "write fence",
            """
            CREATE TABLE write_fence (
                id         integer PRIMARY KEY CHECK (id = 1),
                epoch      bigint  NOT NULL,
                holder     text    NOT NULL,
                claimed_at bigint  NOT NULL
            );
            INSERT INTO write_fence (id, epoch, holder, claimed_at) VALUES (1, 0, '', 0);
            """),
        new(6, "retraining",
            """
            CREATE TABLE retraining_policies (
                model      text    PRIMARY KEY,
                record     bytea   NOT NULL,
                updated_at bigint  NOT NULL
            );
            CREATE TABLE retraining_runs (
                id         text    PRIMARY KEY,
                model      text    NOT NULL,
                created_at bigint  NOT NULL,
                record     bytea   NOT NULL
            );
            CREATE INDEX ix_retraining_runs_model ON retraining_runs (model, created_at);
            """),
        new(7, "pipelines",
            """
            CREATE TABLE pipeline_runs (
                id         text    PRIMARY KEY,
                pipeline   text    NOT NULL,
                created_at bigint  NOT NULL,
                record     bytea   NOT NULL
            );
            CREATE INDEX ix_pipeline_runs_pipeline ON pipeline_runs (pipeline, created_at);
            CREATE INDEX ix_pipeline_runs_created ON pipeline_runs (created_at);
            CREATE TABLE pipeline_step_cache (
                cache_key  text    PRIMARY KEY,
                record     bytea   NOT NULL,
                created_at bigint  NOT NULL
            );
            """),
        new(8, "api tokens and audit log",
            """
            CREATE TABLE api_tokens (
                id          text    PRIMARY KEY,
                secret_hash bytea   NOT NULL UNIQUE,
                created_at  bigint  NOT NULL,
                record      bytea   NOT NULL
            );
            CREATE TABLE audit_log (
                sequence  bigserial PRIMARY KEY,
                at        bigint    NOT NULL,
                principal text      NOT NULL,
                method    text      NOT NULL,
                record    bytea     NOT NULL
            );
            CREATE INDEX ix_audit_log_principal ON audit_log (principal, sequence);
            CREATE INDEX ix_audit_log_at ON audit_log (at);
            """),
    ];

    public static int LatestVersion => Migrations[^1].Version;
}
