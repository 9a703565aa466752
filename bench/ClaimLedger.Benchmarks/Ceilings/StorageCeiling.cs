using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ClaimLedger.Benchmarks.Dataset;
using ClaimLedger.Contracts.V1;
using Google.Protobuf;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ClaimLedger.Benchmarks.Ceilings;

/// <summary>Claims per second written straight into the database, per transaction size.</summary>
public sealed record StorageCeilingResult(
    long DatabaseClaims,
    double FillSeconds,
    long PerClaimClaims,
    double PerClaimSeconds,
    double PerClaimPerSecond,
    long BatchedClaims,
    double BatchedSeconds,
    double BatchedPerSecond,
    int BatchSize,
    /// <summary>What was written to, and how (engine, durability), for the report.</summary>
    string Description = StorageCeiling.SqliteDescription,
    /// <summary>The engine: "SQLite" or "PostgreSQL".</summary>
    string Engine = "SQLite");

/// <summary>
/// The storage floor and ceiling of CreateClaim: the rows one CreateClaim with one ORIGIN evidence item writes —
/// claims (and through its trigger the FTS index; on PostgreSQL its generated search vector and GIN index),
/// its 32 near-duplicate band keys (claim_bands, one statement as the server writes them, ADR 21), claim_topics, two claim_events (CREATED, EVIDENCE_ADDED), evidence (with the server's no-op "unsourced" update),
/// idempotency_keys (the request id and the stored response) and one hash-chained ledger_entries row — inserted
/// directly, through one connection with prepared statements, into a separate database built from the engine's
/// migrations: on SQLite a file from migrations/sqlite/*.sql in WAL mode with synchronous=FULL and foreign_keys=ON; on
/// PostgreSQL a database of the same server from migrations/postgresql/*.sql, committed with the server's durable
/// settings (fsync, synchronous_commit on), each claim's statements sent as one batch (one round trip; the topic rows
/// find the claim's seq by its id). One connection is what the service's single writer per instance has.
/// (a) one transaction per claim: an fsync per claim, the floor of any design that commits each command alone;
/// (b) one transaction per 1000 claims: the ceiling of group commit. No gRPC, validation, duplicate check or reads
/// back, so the ratio to CreateClaim shows what the service costs on top of storage.
/// The file is grown to the server's dataset size first, so both run against an index of the same depth.
/// </summary>
public sealed class StorageCeiling : IDisposable
{
    public const int BatchSize = 1000;
    public const string SqliteDescription = "raw SQLite (WAL, synchronous=FULL)";
    public const string PostgresDescription = "raw PostgreSQL (one connection, each claim's statements in one round trip, prepared; synchronous_commit=on)";
    private const int TemplateCount = 5000;
    private const string Actor = "admin";

    private readonly DbConnection _connection;
    private readonly Template[] _templates;
    private readonly DbCommand _insertClaim;
    private readonly DbCommand _insertBands;
    private readonly DbCommand _insertTopic;
    private readonly DbCommand _insertEvent;
    private readonly DbCommand _insertEvidence;
    private readonly DbCommand _clearUnsourced;
    private readonly DbCommand _insertIdempotency;
    private readonly DbCommand _insertLedger;
    private readonly NpgsqlBatch? _batch;
    private string _ledgerHead = new('0', 64);
    private long _ledgerSequence;
    private long _written;

    private StorageCeiling(DbConnection connection, Template[] templates, string engine, string description)
    {
        _connection = connection;
        _templates = templates;
        Engine = engine;
        Description = description;
        // On PostgreSQL each claim's statements go to the server as one batch, one round trip: otherwise each of its
        // ten or so statements is a round trip to another process, and the figures would measure those, not storage.
        _batch = connection is NpgsqlConnection npgsql ? new NpgsqlBatch(npgsql) : null;
        _insertClaim = Prepare("""
            INSERT INTO claims (id, text, normalized_text, claimant, claim_time, language_code, status,
                                review_interval_seconds, create_time, update_time, revision)
            VALUES (@id, @text, @normalized, @claimant, @claim_time, 'en', 'UNVERIFIED', NULL, @now, @now, 1)
            RETURNING seq
            """, "@id", "@text", "@normalized", "@claimant", "@claim_time", "@now");
        // In one batch the claim's seq is not known to the client: the topic and band rows look it up (the same rows result).
        _insertBands = _batch is null
            ? Prepare("INSERT INTO claim_bands (band_key, claim_seq) SELECT value, @seq FROM json_each(@keys)", "@seq", "@keys")
            : Prepare("INSERT INTO claim_bands (band_key, claim_seq) SELECT k, c.seq FROM claims c, unnest(@keys) AS k WHERE c.id = @claim_id", "@claim_id", "@keys");
        _insertTopic = _batch is null
            ? Prepare("INSERT INTO claim_topics (claim_seq, topic) VALUES (@seq, @topic)", "@seq", "@topic")
            : Prepare("INSERT INTO claim_topics (claim_seq, topic) SELECT seq, @topic FROM claims WHERE id = @claim_id", "@claim_id", "@topic");
        _insertEvent = Prepare("""
            INSERT INTO claim_events (claim_id, sequence, type, from_status, to_status, verdict_id, evidence_id, actor, time, detail)
            VALUES (@claim_id, (SELECT coalesce(max(sequence), 0) + 1 FROM claim_events WHERE claim_id = @claim_id),
                    @type, NULL, @to_status, NULL, @evidence_id, @actor, @time, @detail)
            """, "@claim_id", "@type", "@to_status", "@evidence_id", "@actor", "@time", "@detail");
        _insertEvidence = Prepare("""
            INSERT INTO evidence (id, claim_id, source_id, stance, excerpt, locator, credibility, added_by, source_content_sha256, create_time)
            VALUES (@id, @claim_id, @source_id, 'ORIGIN', @excerpt, @locator, @credibility, @added_by, @sha, @now)
            """, "@id", "@claim_id", "@source_id", "@excerpt", "@locator", "@credibility", "@added_by", "@sha", "@now");
        _clearUnsourced = Prepare("UPDATE claims SET unsourced_since = NULL WHERE id = @claim_id AND unsourced_since IS NOT NULL", "@claim_id");
        _insertIdempotency = Prepare("""
            INSERT INTO idempotency_keys (operation, request_id, request_hash, response, create_time)
            VALUES ('CreateClaim', @request_id, @request_hash, @response, @now)
            """, "@request_id", "@request_hash", "@response", "@now");
        _insertLedger = Prepare("""
            INSERT INTO ledger_entries (sequence, time, actor, action, subject, changes, previous_hash, entry_hash)
            VALUES (@sequence, @time, @actor, 'claim.created', @subject, @changes, @previous, @hash)
            """, "@sequence", "@time", "@actor", "@subject", "@changes", "@previous", "@hash");
    }

    public long Claims => _written;

    public string Engine { get; }

    public string Description { get; }

    /// <summary>A fresh SQLite file at <paramref name="path"/> from migrations/sqlite, with the source pool.</summary>
    public static StorageCeiling Create(string path, string migrationsDirectory, DatasetGenerator generator)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode = WAL;");
            Migrate(connection, migrationsDirectory);
            Execute(connection, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");
            return Populate(connection, generator, "SQLite", SqliteDescription);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The empty PostgreSQL database of <paramref name="connectionString"/> brought up from migrations/postgresql, with
    /// the source pool. Npgsql prepares each statement on its second use (auto-prepare), as Microsoft.Data.Sqlite
    /// keeps a command's statement prepared.
    /// </summary>
    public static StorageCeiling CreatePostgres(string connectionString, string migrationsDirectory, DatasetGenerator generator)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            MaxAutoPrepare = 32,
            AutoPrepareMinUsages = 2,
        }.ConnectionString);
        try
        {
            connection.Open();
            Migrate(connection, migrationsDirectory);
            return Populate(connection, generator, "PostgreSQL", PostgresDescription);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void Migrate(DbConnection connection, string migrationsDirectory)
    {
        foreach (var script in Directory.GetFiles(migrationsDirectory, "*.sql").Order(StringComparer.Ordinal))
        {
            using var transaction = connection.BeginTransaction();
            Execute(connection, File.ReadAllText(script), transaction);
            transaction.Commit();
        }
    }

    private static StorageCeiling Populate(DbConnection connection, DatasetGenerator generator, string engine, string description)
    {
        var sources = new (string Id, string Sha)[DatasetGenerator.SourceCount];
        using (var transaction = connection.BeginTransaction())
        {
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO sources (id, url, canonical_url, title, publisher, author, kind, content_sha256, create_time, update_time)
                VALUES (@id, @url, @url, @title, @publisher, @author, 'NEWS_ARTICLE', @sha, @now, @now)
                """;
            foreach (var name in new[] { "@id", "@url", "@title", "@publisher", "@author", "@sha", "@now" })
            {
                var parameter = insert.CreateParameter();
                parameter.ParameterName = name;
                insert.Parameters.Add(parameter);
            }

            for (var i = 0; i < sources.Length; i++)
            {
                var source = generator.Source(i);
                sources[i] = (NewId(), source.ContentSha256);
                Run(insert, scalar: false, sources[i].Id, source.Url, source.Title, source.Publisher, source.Author, source.ContentSha256, Now());
            }

            transaction.Commit();
        }

        // Claims as the generator makes them (indexes far from the server's), prepared once so that the timed loops
        // measure storage, not text generation.
        var sourceNames = sources.Select(s => $"sources/{s.Id}").ToArray();
        var templates = new Template[TemplateCount];
        for (var i = 0; i < templates.Length; i++)
        {
            var request = generator.Claim(1_000_000_000_000L + i, sourceNames, "ceiling");
            var evidence = request.Evidence[0];
            var sourceIndex = Array.IndexOf(sourceNames, evidence.Source);
            templates[i] = Template.From(request, sources[sourceIndex].Id, sources[sourceIndex].Sha);
        }

        return new StorageCeiling(connection, templates, engine, description);
    }

    /// <summary>Grows the file to <paramref name="claims"/> claims in batches (not timed as a result).</summary>
    public double FillTo(long claims, CancellationToken ct, CancellationToken stop = default)
    {
        var timer = Stopwatch.StartNew();
        while (_written < claims && !stop.IsCancellationRequested)
        {
            ct.ThrowIfCancellationRequested();
            WriteBatch((int)Math.Min(BatchSize, claims - _written));
        }

        return timer.Elapsed.TotalSeconds;
    }

    /// <summary>Writes claims for <paramref name="duration"/>, <paramref name="perTransaction"/> per transaction.</summary>
    public (long Claims, double Seconds) Measure(TimeSpan duration, int perTransaction, CancellationToken ct)
    {
        var start = _written;
        var timer = Stopwatch.StartNew();
        do
        {
            ct.ThrowIfCancellationRequested();
            WriteBatch(perTransaction);
        }
        while (timer.Elapsed < duration);

        return (_written - start, timer.Elapsed.TotalSeconds);
    }

    public void Dispose()
    {
        foreach (var command in new[] { _insertClaim, _insertBands, _insertTopic, _insertEvent, _insertEvidence, _clearUnsourced, _insertIdempotency, _insertLedger })
        {
            command.Dispose();
        }

        _batch?.Dispose();
        _connection.Dispose();
    }

    private void WriteBatch(int claims)
    {
        using var transaction = _connection.BeginTransaction();
        foreach (var command in new[] { _insertClaim, _insertBands, _insertTopic, _insertEvent, _insertEvidence, _clearUnsourced, _insertIdempotency, _insertLedger })
        {
            command.Transaction = transaction;
        }

        if (_batch is not null)
        {
            _batch.Transaction = (NpgsqlTransaction)transaction;
        }

        for (var i = 0; i < claims; i++)
        {
            WriteClaim(_templates[(int)(_written % _templates.Length)]);
            _written++;
        }

        transaction.Commit();
    }

    private void WriteClaim(Template t)
    {
        var id = NewId();
        var now = Now();
        if (_batch is null)
        {
            var claimSeq = (long)Run(_insertClaim, scalar: true, id, t.Text, t.Normalized, t.Claimant, t.ClaimTime, now)!;
            Run(_insertBands, scalar: false, claimSeq, t.BandKeysJson);
            foreach (var topic in t.Topics)
            {
                Run(_insertTopic, scalar: false, claimSeq, topic);
            }
        }
        else
        {
            Write(_insertClaim, id, t.Text, t.Normalized, t.Claimant, t.ClaimTime, now);
            Write(_insertBands, id, t.BandKeys);
            foreach (var topic in t.Topics)
            {
                Write(_insertTopic, id, topic);
            }
        }

        Write(_insertEvent, id, "CREATED", "UNVERIFIED", DBNull.Value, Actor, now, "");
        var evidenceId = NewId();
        Write(_insertEvidence, evidenceId, id, t.SourceId, t.Excerpt, t.Locator, t.Credibility, Actor, t.SourceSha, now);
        Write(_clearUnsourced, id);
        Write(_insertEvent, id, "EVIDENCE_ADDED", DBNull.Value, evidenceId, Actor, now, t.EventDetail);
        Write(_insertIdempotency, $"ceiling-{_written}", t.RequestHash, t.Response, now);

        var sequence = ++_ledgerSequence;
        var subject = $"claims/{id}";
        var canonical = CanonicalJson.LedgerEntry(sequence, now, Actor, "claim.created", subject, t.Changes);
        var input = new byte[32 + Encoding.UTF8.GetByteCount(canonical)];
        Convert.FromHexString(_ledgerHead, input.AsSpan(0, 32), out _, out _);
        Encoding.UTF8.GetBytes(canonical, input.AsSpan(32));
        var hash = Convert.ToHexStringLower(SHA256.HashData(input));
        Write(_insertLedger, sequence, now, Actor, subject, t.Changes, _ledgerHead, hash);
        _ledgerHead = hash;
        if (_batch is not null)
        {
            _batch.ExecuteNonQuery();
            _batch.BatchCommands.Clear();
        }
    }

    /// <summary>Runs the statement now (SQLite), or adds it to this claim's batch (PostgreSQL).</summary>
    private void Write(DbCommand command, params object?[] values)
    {
        if (_batch is null)
        {
            Run(command, scalar: false, values);
            return;
        }

        var statement = new NpgsqlBatchCommand(command.CommandText);
        for (var i = 0; i < values.Length; i++)
        {
            var name = command.Parameters[i].ParameterName;
            statement.Parameters.Add(values[i] is null or DBNull
                ? new NpgsqlParameter(name, NpgsqlTypes.NpgsqlDbType.Text) { Value = DBNull.Value }
                : new NpgsqlParameter(name, values[i]));
        }

        _batch.BatchCommands.Add(statement);
    }

    private DbCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static object? Run(DbCommand command, bool scalar, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var parameter = command.Parameters[i];
            if (values[i] is null or DBNull)
            {
                // Typed, so that PostgreSQL's prepared statement keeps one parameter type (every nullable column here is text).
                parameter.DbType = DbType.String;
                parameter.Value = DBNull.Value;
            }
            else
            {
                parameter.Value = values[i];
            }
        }

        return scalar ? command.ExecuteScalar() : command.ExecuteNonQuery();
    }

    private static void Execute(DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string NewId() => Guid.CreateVersion7().ToString("N");

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>One generated claim, with everything the writes need precomputed.</summary>
    private sealed record Template(
        string Text,
        string Normalized,
        string Claimant,
        string ClaimTime,
        string[] Topics,
        string SourceId,
        string SourceSha,
        string Excerpt,
        string Locator,
        string Credibility,
        string EventDetail,
        string RequestHash,
        byte[] Response,
        string Changes,
        long[] BandKeys)
    {
        /// <summary>The band keys as the SQLite statement takes them: a JSON array.</summary>
        public string BandKeysJson { get; } = "[" + string.Join(",", BandKeys.Select(k => k.ToString(CultureInfo.InvariantCulture))) + "]";

        public static Template From(CreateClaimRequest request, string sourceId, string sourceSha)
        {
            var claim = request.Claim;
            var evidence = request.Evidence[0];
            var topics = claim.Topics.Select(t => t.Trim().ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal).ToArray();
            var claimTime = claim.ClaimTime.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
            var source = $"sources/{sourceId}";
            // The response the idempotency record stores: the claim as CreateClaim returns it (name of the real length).
            var response = new Claim(claim)
            {
                Name = $"claims/{new string('0', 32)}",
                Status = ClaimStatus.Unverified,
                CreateTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow),
                UpdateTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow),
                Etag = "\"1\"",
            };
            var changes = CanonicalJson.Serialize(new Dictionary<string, object?>
            {
                ["text"] = claim.Text,
                ["claimant"] = claim.Claimant,
                ["claim_time"] = claimTime,
                ["language_code"] = "en",
                ["topics"] = topics,
                ["review_interval_seconds"] = null,
                ["status"] = "UNVERIFIED",
                ["verdict"] = null,
                ["retraction"] = null,
                ["evidence"] = new object?[]
                {
                    new Dictionary<string, object?>
                    {
                        ["source"] = source, ["stance"] = "ORIGIN", ["excerpt"] = evidence.Excerpt, ["locator"] = evidence.Locator,
                    },
                },
            });
            var normalized = Normalize(claim.Text);
            return new Template(
                claim.Text,
                normalized,
                claim.Claimant,
                claimTime,
                topics,
                sourceId,
                sourceSha,
                evidence.Excerpt,
                evidence.Locator,
                ProtoName(evidence.Credibility),
                $"ORIGIN from {source}",
                Convert.ToHexStringLower(SHA256.HashData(request.ToByteArray())),
                response.ToByteArray(),
                changes,
                ClaimLedger.Server.Domain.MinHashBands.Default.Keys(normalized));
        }

        private static string ProtoName<TEnum>(TEnum value) where TEnum : struct, Enum =>
            typeof(TEnum).GetField(value.ToString())?.GetCustomAttributes(typeof(Google.Protobuf.Reflection.OriginalNameAttribute), false)
                .OfType<Google.Protobuf.Reflection.OriginalNameAttribute>().FirstOrDefault()?.Name ?? value.ToString();

        // Close to the server's TextSimilarity.Normalize for this ASCII text: lower case, non-alphanumerics separate words.
        private static string Normalize(string text)
        {
            var b = new StringBuilder(text.Length);
            var space = false;
            foreach (var c in text)
            {
                if (char.IsLetterOrDigit(c))
                {
                    if (space && b.Length > 0)
                    {
                        b.Append(' ');
                    }

                    space = false;
                    b.Append(char.ToLowerInvariant(c));
                }
                else
                {
                    space = true;
                }
            }

            return b.ToString();
        }
    }
}
