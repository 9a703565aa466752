using System.Text;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Features.Ledger;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using ClaimLedger.Transparency;
using FluentValidation;
using Google.Protobuf;
using MediatR;
using Proto = ClaimLedger.Contracts.V1;

namespace ClaimLedger.Server.Features.Transparency;

/// <summary>What the proof queries share: the tree's state and its checkpoints (docs/ledger-format.md, ADR 20).</summary>
internal static class TreeState
{
    public const string NotIntegrated = "NOT_INTEGRATED";

    public sealed record CheckpointRow(long TreeSize, byte[] Root, string Note, string KeyName, string CreateTime)
    {
        public Proto.Checkpoint ToProto() => new()
        {
            TreeSize = TreeSize,
            RootHash = ByteString.CopyFrom(Root),
            Note = Note,
            Origin = KeyName,
            CreateTime = DbTime.ToTimestamp(CreateTime),
        };
    }

    public const string CheckpointColumns = "tree_size, root, note, key_name, create_time";

    public static Task<long> IntegratedSizeAsync(DbSession db, CancellationToken ct) =>
        db.ExecuteScalarAsync<long>("SELECT size FROM merkle_tree WHERE id = 1", null, ct);

    /// <summary>The checkpoint of exactly <paramref name="treeSize"/>, or the latest for 0.</summary>
    public static async Task<CheckpointRow> CheckpointAsync(DbSession db, long treeSize, string field, CancellationToken ct)
    {
        if (treeSize == 0)
        {
            return await db.QuerySingleOrDefaultAsync<CheckpointRow>(
                    $"SELECT {CheckpointColumns} FROM checkpoints ORDER BY tree_size DESC LIMIT 1", null, ct)
                ?? throw new FailedPreconditionException(NotIntegrated,
                    "No checkpoint has been signed yet: the ledger is empty or its first entries are still being integrated (within about a second).", "checkpoints");
        }

        return await db.QuerySingleOrDefaultAsync<CheckpointRow>(
                $"SELECT {CheckpointColumns} FROM checkpoints WHERE tree_size = @TreeSize", new { TreeSize = treeSize }, ct)
            ?? throw new NotFoundException($"checkpoints/{treeSize}");
    }

    /// <summary>
    /// The size to prove against: the latest checkpoint's for 0; else any size the tree has integrated (a proof for a size
    /// without a checkpoint is checked against a root the client computed or obtained elsewhere).
    /// </summary>
    public static async Task<long> ProvableSizeAsync(DbSession db, long treeSize, string field, CancellationToken ct)
    {
        if (treeSize == 0)
        {
            return (await CheckpointAsync(db, 0, field, ct)).TreeSize;
        }

        var integrated = await IntegratedSizeAsync(db, ct);
        if (treeSize > integrated)
        {
            throw new FailedPreconditionException(NotIntegrated,
                $"{field} {treeSize} is beyond the integrated tree ({integrated} entries); entries are integrated within about a second of their commit.",
                "ledger");
        }

        return treeSize;
    }

    public static ByteString[] ToBytes(IEnumerable<byte[]> hashes) => hashes.Select(ByteString.CopyFrom).ToArray();
}

/// <summary>The latest signed checkpoint, or the one of a given tree size.</summary>
public static class GetCheckpoint
{
    [Requires(Permission.Read)]
    public sealed record Query(long TreeSize) : IQuery<Proto.Checkpoint>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator() => RuleFor(q => q.TreeSize).GreaterThanOrEqualTo(0).OverridePropertyName("tree_size");
    }

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, Proto.Checkpoint>
    {
        public async Task<Proto.Checkpoint> Handle(Query q, CancellationToken ct) =>
            (await TreeState.CheckpointAsync(db, q.TreeSize, "tree_size", ct)).ToProto();
    }
}

/// <summary>Every checkpoint, oldest first.</summary>
public static class ListCheckpoints
{
    [Requires(Permission.Read)]
    public sealed record Query(int PageSize, string PageToken) : IQuery<Proto.ListCheckpointsResponse>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator() => RuleFor(q => q.PageSize).GreaterThanOrEqualTo(0).OverridePropertyName("page_size");
    }

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, Proto.ListCheckpointsResponse>
    {
        public async Task<Proto.ListCheckpointsResponse> Handle(Query q, CancellationToken ct)
        {
            var fingerprint = PageTokens.Fingerprint("checkpoints");
            var after = PageTokens.Decode(q.PageToken, fingerprint)?.Seq ?? 0;
            var size = PageTokens.Size(q.PageSize);
            var rows = await db.QueryAsync<TreeState.CheckpointRow>(
                $"SELECT {TreeState.CheckpointColumns} FROM checkpoints WHERE tree_size > @After ORDER BY tree_size LIMIT @Limit",
                new { After = after, Limit = size + 1 }, ct);
            var response = new Proto.ListCheckpointsResponse();
            response.Checkpoints.AddRange(rows.Take(size).Select(r => r.ToProto()));
            if (rows.Count > size)
            {
                response.NextPageToken = PageTokens.Encode(new PageTokens.Position(null, rows[size - 1].TreeSize), fingerprint);
            }

            return response;
        }
    }
}

/// <summary>The verifier key of the log's checkpoints.</summary>
public static class GetVerifierKey
{
    [Requires(Permission.Read)]
    public sealed record Query : IQuery<Proto.VerifierKey>;

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, Proto.VerifierKey>
    {
        private sealed record Row(string KeyName, string VerifierKey, string CreateTime);

        public async Task<Proto.VerifierKey> Handle(Query q, CancellationToken ct)
        {
            var row = await db.QuerySingleOrDefaultAsync<Row>("SELECT key_name, verifier_key, create_time FROM log_keys WHERE id = 1", null, ct)
                ?? throw new FailedPreconditionException(TreeState.NotIntegrated, "The log has no signing key yet.", "ledger");
            return new Proto.VerifierKey { VerifierKey_ = row.VerifierKey, Origin = row.KeyName, CreateTime = DbTime.ToTimestamp(row.CreateTime) };
        }
    }
}

/// <summary>That the entry at a sequence is in the tree of a given size (RFC 9162 inclusion proof).</summary>
public static class GetInclusionProof
{
    [Requires(Permission.Audit)]
    public sealed record Query(long Sequence, long TreeSize) : IQuery<Proto.InclusionProof>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.Sequence).GreaterThan(0).OverridePropertyName("sequence");
            RuleFor(q => q.TreeSize).GreaterThanOrEqualTo(0).OverridePropertyName("tree_size");
            RuleFor(q => q.TreeSize).GreaterThanOrEqualTo(q => q.Sequence).When(q => q.TreeSize > 0 && q.Sequence > 0)
                .OverridePropertyName("tree_size").WithMessage("must be at least sequence: a tree of that size does not hold the entry");
        }
    }

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, Proto.InclusionProof>
    {
        public async Task<Proto.InclusionProof> Handle(Query q, CancellationToken ct)
        {
            var row = await db.QuerySingleOrDefaultAsync<LedgerRow>(
                $"SELECT {LedgerRow.Columns} FROM ledger_entries WHERE sequence = @Sequence", new { q.Sequence }, ct)
                ?? throw new NotFoundException($"ledger entry {q.Sequence}");
            var treeSize = await TreeState.ProvableSizeAsync(db, q.TreeSize, "tree_size", ct);
            if (q.Sequence > treeSize)
            {
                throw new FailedPreconditionException(TreeState.NotIntegrated,
                    $"Ledger entry {q.Sequence} is not in the latest checkpoint (tree size {treeSize}) yet; it will be within about a second.", "ledger");
            }

            var leaf = LedgerLeaves.Bytes(row);
            var proof = await new ProofBuilder(new DbTileStore(db)).InclusionProofAsync(q.Sequence - 1, treeSize, ct);
            var response = new Proto.InclusionProof
            {
                Sequence = q.Sequence,
                LeafIndex = q.Sequence - 1,
                TreeSize = treeSize,
                Leaf = Encoding.UTF8.GetString(leaf),
                LeafHash = ByteString.CopyFrom(MerkleHashing.LeafHash(leaf)),
            };
            response.Hashes.AddRange(TreeState.ToBytes(proof));
            return response;
        }
    }
}

/// <summary>That the tree of second_size extends the tree of first_size (RFC 9162 consistency proof).</summary>
public static class GetConsistencyProof
{
    [Requires(Permission.Read)]
    public sealed record Query(long FirstSize, long SecondSize) : IQuery<Proto.ConsistencyProof>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.FirstSize).GreaterThan(0).OverridePropertyName("first_size");
            RuleFor(q => q.SecondSize).GreaterThanOrEqualTo(0).OverridePropertyName("second_size");
            RuleFor(q => q.SecondSize).GreaterThanOrEqualTo(q => q.FirstSize).When(q => q.SecondSize > 0)
                .OverridePropertyName("second_size").WithMessage("must be at least first_size: a log only grows");
        }
    }

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, Proto.ConsistencyProof>
    {
        public async Task<Proto.ConsistencyProof> Handle(Query q, CancellationToken ct)
        {
            var second = await TreeState.ProvableSizeAsync(db, q.SecondSize, "second_size", ct);
            if (q.FirstSize > second)
            {
                throw new FailedPreconditionException(TreeState.NotIntegrated,
                    $"first_size {q.FirstSize} is beyond the latest checkpoint (tree size {second}).", "ledger");
            }

            var proof = await new ProofBuilder(new DbTileStore(db)).ConsistencyProofAsync(q.FirstSize, second, ct);
            var response = new Proto.ConsistencyProof { FirstSize = q.FirstSize, SecondSize = second };
            response.Hashes.AddRange(TreeState.ToBytes(proof));
            return response;
        }
    }
}

/// <summary>
/// A claim proof bundle: a signed checkpoint and every entry of the claim — its own, those of its evidence, and those of
/// the sources its evidence cites — up to the checkpoint (or an earlier sequence), each with its inclusion proof.
/// </summary>
public static class GetClaimProof
{
    [Requires(Permission.Audit)]
    public sealed record Query(string Name, long TreeSize, long AsOfSequence, DateTimeOffset? AsOfTime = null) : IQuery<Proto.ClaimProof>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.Name).Must(n => ResourceNames.IsClaim(n)).OverridePropertyName("name")
                .WithMessage(q => $"must be a claim name (claims/{{id}}), not {ClientText.Quote(q.Name)}");
            RuleFor(q => q.TreeSize).GreaterThanOrEqualTo(0).OverridePropertyName("tree_size");
            RuleFor(q => q.AsOfSequence).GreaterThanOrEqualTo(0).OverridePropertyName("as_of_sequence");
            RuleFor(q => q.AsOfSequence).Equal(0).When(q => q.AsOfTime is not null).OverridePropertyName("as_of_sequence")
                .WithMessage("give as_of_time or as_of_sequence, not both");
        }
    }

    internal sealed class Handler(DbSession db, ISqlDialect dialect) : IRequestHandler<Query, Proto.ClaimProof>
    {
        public async Task<Proto.ClaimProof> Handle(Query q, CancellationToken ct)
        {
            var checkpoint = await TreeState.CheckpointAsync(db, q.TreeSize, "tree_size", ct);
            var asOf = q.AsOfTime is null ? q.AsOfSequence : Math.Max(1, await Ledger.AsOf.SequenceAsync(db, q.AsOfTime, 0, ct));
            var entries = await ClaimEntries.ReadAsync(db, dialect, q.Name, checkpoint.TreeSize, asOf, ct);
            if (entries.Count == 0)
            {
                var exists = await db.ExecuteScalarAsync<long>("SELECT count(*) FROM ledger_entries WHERE subject = @Name", new { q.Name }, ct) > 0;
                if (!exists)
                {
                    throw new NotFoundException(q.Name);
                }

                if (asOf > 0)
                {
                    throw new NotFoundException($"{q.Name} as of ledger entry {asOf}");
                }

                throw new FailedPreconditionException(TreeState.NotIntegrated, $"{q.Name} is not in the checkpoint of tree size {checkpoint.TreeSize} yet; it will be within about a second.", q.Name);
            }

            var proofs = await new ProofBuilder(new DbTileStore(db))
                .InclusionProofsAsync(entries.Select(e => e.Sequence - 1).ToList(), checkpoint.TreeSize, ct);
            var response = new Proto.ClaimProof { Claim = q.Name, Checkpoint = checkpoint.ToProto(), AsOfSequence = asOf };
            for (var i = 0; i < entries.Count; i++)
            {
                var proven = new Proto.ProvenEntry { Sequence = entries[i].Sequence, Leaf = Encoding.UTF8.GetString(LedgerLeaves.Bytes(entries[i])) };
                proven.InclusionProof.AddRange(TreeState.ToBytes(proofs[i]));
                response.Entries.Add(proven);
            }

            return response;
        }
    }
}

/// <summary>The ledger entries that determine a claim: its own and its evidence's (its subject range), and its cited sources'.</summary>
internal static class ClaimEntries
{
    public static async Task<IReadOnlyList<LedgerRow>> ReadAsync(DbSession db, ISqlDialect dialect, string claim, long upTo, long asOf, CancellationToken ct)
    {
        var last = asOf > 0 ? Math.Min(asOf, upTo) : upTo;
        var own = await db.QueryAsync<LedgerRow>($"""
            SELECT {LedgerRow.Columns} FROM ledger_entries
            WHERE (subject = @Claim OR (subject >= @Lower AND subject < @Upper)) AND sequence <= @Last
            ORDER BY sequence
            """, new { Claim = claim, Lower = claim + "/", Upper = claim + "0", Last = last }, ct);
        var fold = new ClaimFold(claim);
        foreach (var row in own)
        {
            fold.Add(FoldEntry.Parse(row.Sequence, row.Time, row.Actor, row.Action, row.Subject, row.Changes));
        }

        var sources = fold.Evidence.Values.Select(e => LedgerState.Text(e.State["source"]))
            .Concat(fold.UnnamedEvidence.Select(e => LedgerState.Text(e.Input["source"])))
            .OfType<string>().Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (sources.Count == 0)
        {
            return own;
        }

        var cited = await db.QueryAsync<LedgerRow>($"""
            SELECT {LedgerRow.Columns} FROM ledger_entries
            WHERE {dialect.InList("subject", "@Sources")} AND sequence <= @Last
            ORDER BY sequence
            """, new { Sources = sources, Last = last }, ct);
        return own.Concat(cited).OrderBy(r => r.Sequence).ToList();
    }
}
