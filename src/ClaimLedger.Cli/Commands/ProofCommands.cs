using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimLedger.Contracts.V1;
using ClaimLedger.Transparency;
using Grpc.Core;

namespace ClaimLedger.Cli.Commands;

/// <summary>
/// Proofs an auditor checks alone (docs/ledger-format.md, ADR 20): `ledger checkpoint`, `ledger verifier-key`,
/// `ledger proof` (a claim proof bundle to a file), `ledger witness` (a checkpoint kept and each new one checked against
/// it) and the offline `verify` of a bundle, which needs no server.
/// </summary>
public static class ProofCommands
{
    private static LedgerService.LedgerServiceClient Client(CliContext c) => new(c.Connection.Invoker);

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static IEnumerable<Command> LedgerSubcommands(Globals g, CliEnvironment env)
    {
        var size = new Option<long>("--size") { Description = "A checkpoint's tree size (default: the latest)" };
        var checkpoint = new Command("checkpoint", "The latest signed checkpoint (or the one of --size). Example: claimledger ledger checkpoint") { size };
        Cli.Handle(checkpoint, g, env, async c =>
        {
            var cp = await Client(c).GetCheckpointAsync(new GetCheckpointRequest { TreeSize = c.Get(size) }, cancellationToken: c.Cancel);
            c.Output.Message(cp, () =>
            {
                if (c.Output.Plain)
                {
                    c.Output.Line(cp.Note.TrimEnd('\n'));
                    return;
                }

                c.Output.Fields([("tree size", N(cp.TreeSize)), ("root hash", Convert.ToBase64String(cp.RootHash.Span)), ("origin", cp.Origin),
                    ("time", Format.Time(cp.CreateTime))]);
                c.Output.Line("");
                c.Output.Line(cp.Note.TrimEnd('\n'));
            });
            return ExitCodes.Success;
        });
        yield return checkpoint;

        var verifierKey = new Command("verifier-key", "The key checkpoints are signed with, for `verify --key` and `ledger witness --key`. Example: claimledger ledger verifier-key > log.vkey");
        Cli.Handle(verifierKey, g, env, async c =>
        {
            var key = await Client(c).GetVerifierKeyAsync(new GetVerifierKeyRequest(), cancellationToken: c.Cancel);
            c.Output.Message(key, () => c.Output.Line(key.VerifierKey_));
            return ExitCodes.Success;
        });
        yield return verifierKey;

        var claim = new Argument<string>("claim") { Description = "claims/<id>" };
        var output = new Option<string>("--output", "-o") { Description = "The bundle file to write", Required = true };
        var asOfSequence = new Option<long>("--as-of-sequence") { Description = "Only the entries up to this sequence (the claim as it stood then)" };
        var proof = new Command("proof",
            "A claim's proof bundle: a signed checkpoint and every entry of the claim with an inclusion proof, checkable offline with `claimledger verify`. " +
            "Example: claimledger ledger proof claims/<id> --output bundle.json")
            { claim, output, size, asOfSequence };
        Cli.Handle(proof, g, env, async c =>
        {
            var name = c.Get(claim);
            var reply = await Client(c).GetClaimProofAsync(new GetClaimProofRequest { Name = name, TreeSize = c.Get(size), AsOfSequence = c.Get(asOfSequence) },
                cancellationToken: c.Cancel);
            var bundle = new ClaimProofBundle(reply.Claim, reply.Checkpoint.Note,
                reply.Entries.Select(e => new ClaimProofEntry(e.Sequence, e.Leaf, e.InclusionProof.Select(h => h.ToByteArray()).ToList())).ToList());
            var path = c.Get(output);
            await File.WriteAllTextAsync(path, bundle.ToJson(), c.Cancel);
            c.Output.Value(new { file = path, claim = reply.Claim, entries = reply.Entries.Count, tree_size = reply.Checkpoint.TreeSize }, () =>
            {
                c.Output.Line($"wrote {path}: {reply.Entries.Count} entries of {reply.Claim}, proven in the checkpoint of tree size {reply.Checkpoint.TreeSize}");
                c.Output.Note("check it anywhere, without the server: claimledger verify " + path + " --key \"$(claimledger ledger verifier-key)\"");
            });
            return ExitCodes.Success;
        });
        yield return proof;

        var state = new Option<string>("--state") { Description = "The witness's state file: the last checkpoint it verified (created on the first run)", Required = true };
        var key = new Option<string?>("--key") { Description = "The log's verifier key (required on the first run; then it must match the one in the state file)" };
        var witness = new Command("witness",
            "Check that the log only grew since the last run: verifies the latest checkpoint's signature and its consistency with the one kept in --state, " +
            "then keeps the new one. Exits 1, keeping the old state, if the log forked or shrank. Example: claimledger ledger witness --state witness.json --key \"$KEY\"")
            { state, key };
        Cli.Handle(witness, g, env, async c => await WitnessAsync(c, c.Get(state), c.Get(key)));
        yield return witness;
    }

    /// <summary>`claimledger verify bundle.json --key K`: offline, no server contacted.</summary>
    public static Command Verify(Globals g, CliEnvironment env)
    {
        var file = new Argument<string>("bundle") { Description = "A bundle written by `claimledger ledger proof`" };
        var key = new Option<string>("--key") { Description = "The log's verifier key (<name>+<hash>+<key>), or a file holding it", Required = true };
        var verify = new Command("verify",
            "Verify a claim proof bundle offline — the checkpoint's signature and every inclusion proof — and print the claim's state and history " +
            "recomputed from its entries. Needs no server. Example: claimledger verify bundle.json --key log.vkey")
            { file, key };
        Cli.Handle(verify, g, env, async c =>
        {
            var verifier = ReadKey(c.Get(key));
            string json;
            try
            {
                json = await File.ReadAllTextAsync(c.Get(file), c.Cancel);
            }
            catch (FileNotFoundException)
            {
                throw new UsageException($"{c.Get(file)} does not exist.");
            }

            var result = ClaimProofVerifier.Verify(json, verifier);
            if (!result.IsValid)
            {
                c.Output.Value(new { valid = false, failure = result.Failure.ToString(), message = result.Message, sequence = result.Sequence },
                    () => c.Output.Line($"INVALID: {result.Message}"));
                return ExitCodes.Failure;
            }

            var bundle = ClaimProofBundle.Parse(json);
            var claimState = BundleState.Fold(bundle.Claim, result.Entries);
            c.Output.Value(new
            {
                valid = true,
                claim = bundle.Claim,
                tree_size = result.Checkpoint!.Size,
                origin = result.Checkpoint.Origin,
                entries = result.Entries.Count,
                state = claimState.Claim,
                evidence = claimState.Evidence,
                history = result.Entries.Select(e => new { sequence = e.Sequence, time = e.Time, actor = e.Actor, action = e.Action, subject = e.Subject }),
            }, () =>
            {
                c.Output.Line($"valid: {bundle.Claim}, {result.Entries.Count} entries, each proven in the checkpoint of {result.Checkpoint.Origin} at tree size {result.Checkpoint.Size}, signed by {verifier.Name}");
                c.Output.Line("");
                c.Output.Line("The claim as its entries say it is:");
                c.Output.Fields(claimState.Fields());
                if (claimState.Evidence.Count > 0)
                {
                    c.Output.Line("");
                    c.Output.Table(["Evidence", "Stance", "Source", "Excerpt"], claimState.Evidence.Select(e => (IReadOnlyList<string>)
                        [e.Name, e.Stance, e.Source, c.Output.Clip(e.Excerpt, 60)]));
                }

                c.Output.Line("");
                c.Output.Line("History:");
                c.Output.Table(["#", "Time", "Actor", "Action", "Subject"], result.Entries.Select(e => (IReadOnlyList<string>)
                    [N(e.Sequence), e.Time, e.Actor, e.Action, e.Subject]));
            });
            return ExitCodes.Success;
        });
        return verify;
    }

    private static NoteVerifierKey ReadKey(string text)
    {
        if (File.Exists(text))
        {
            text = File.ReadAllText(text).Trim();
        }

        return NoteVerifierKey.TryParse(text.Trim(), out var key, out var error)
            ? key
            : throw new UsageException($"--key is not a verifier key (<name>+<key hash>+<base64 key>, as `claimledger ledger verifier-key` prints): {error}");
    }

    // ---- witness

    private sealed record WitnessState(
        [property: System.Text.Json.Serialization.JsonPropertyName("verifier_key")] string VerifierKey,
        [property: System.Text.Json.Serialization.JsonPropertyName("checkpoint")] string Checkpoint,
        [property: System.Text.Json.Serialization.JsonPropertyName("tree_size")] long TreeSize,
        [property: System.Text.Json.Serialization.JsonPropertyName("checked_at")] string CheckedAt);

    private static async Task<int> WitnessAsync(CliContext c, string statePath, string? keyText)
    {
        WitnessState? kept = null;
        if (File.Exists(statePath))
        {
            try
            {
                kept = JsonSerializer.Deserialize<WitnessState>(await File.ReadAllTextAsync(statePath, c.Cancel));
            }
            catch (JsonException e)
            {
                throw new UsageException($"{statePath} is not a witness state file: {e.Message}");
            }

            if (kept is null || string.IsNullOrEmpty(kept.VerifierKey) || string.IsNullOrEmpty(kept.Checkpoint))
            {
                throw new UsageException($"{statePath} is not a witness state file.");
            }
        }

        if (kept is null && keyText is null)
        {
            throw new UsageException("The first run needs --key: the log's verifier key, obtained from its operator out of band (not from the log itself).");
        }

        var verifier = ReadKey(keyText ?? kept!.VerifierKey);
        if (kept is not null && kept.VerifierKey != verifier.ToString())
        {
            throw new UsageException($"--key is not the key this witness follows ({kept.VerifierKey}); use another --state file for another log.");
        }

        var latest = await Client(c).GetCheckpointAsync(new GetCheckpointRequest(), cancellationToken: c.Cancel);
        var checkedNew = Transparency.Checkpoint.Verify(latest.Note, verifier);
        if (!checkedNew.IsValid)
        {
            return Refuse(c, $"the log's latest checkpoint does not verify with {verifier.Name}: {checkedNew.Message}");
        }

        var now = checkedNew.Checkpoint!;
        if (kept is not null)
        {
            var old = Transparency.Checkpoint.Verify(kept.Checkpoint, verifier).Checkpoint
                ?? throw new UsageException($"The checkpoint kept in {statePath} does not verify with its own key; the state file was altered.");
            if (now.Size < old.Size)
            {
                return Refuse(c, $"the log SHRANK: its latest checkpoint has {now.Size} entries, but it signed {old.Size} before. Keep {statePath} as evidence.");
            }

            if (now.Size == old.Size && !now.RootHash.SequenceEqual(old.RootHash))
            {
                return Refuse(c, $"the log FORKED: two signed checkpoints of tree size {now.Size} with different roots. Keep {statePath} and this output as evidence:\n{latest.Note}");
            }

            if (now.Size > old.Size)
            {
                var proof = await Client(c).GetConsistencyProofAsync(new GetConsistencyProofRequest { FirstSize = old.Size, SecondSize = now.Size }, cancellationToken: c.Cancel);
                var consistent = MerkleHashing.VerifyConsistency(old.Size, now.Size, old.RootHash, now.RootHash, proof.Hashes.Select(h => h.ToByteArray()).ToList());
                if (!consistent.IsValid)
                {
                    return Refuse(c, $"the log FORKED or was rewritten: its tree of size {now.Size} does not extend the one of size {old.Size} this witness verified " +
                        $"({consistent.Message}). Keep {statePath} and this output as evidence:\n{latest.Note}");
                }
            }
        }

        var next = new WitnessState(verifier.ToString(), latest.Note, now.Size, DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        var temporary = statePath + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(next, new JsonSerializerOptions { WriteIndented = true }), c.Cancel);
        File.Move(temporary, statePath, overwrite: true);
        var message = kept is null
            ? $"ok: now following {now.Origin} at tree size {now.Size}"
            : now.Size == kept.TreeSize
                ? $"ok: {now.Origin} unchanged at tree size {now.Size}"
                : $"ok: {now.Origin} grew from {kept.TreeSize} to {now.Size} entries, consistent with the checkpoint kept";
        c.Output.Value(new { ok = true, origin = now.Origin, previous_size = kept?.TreeSize, tree_size = now.Size }, () => c.Output.Line(message));
        return ExitCodes.Success;
    }

    private static int Refuse(CliContext c, string message)
    {
        c.Output.Env.Error.WriteLine($"REFUSED: {message}");
        return ExitCodes.Failure;
    }
}

/// <summary>A claim's state recomputed from the entries of a verified bundle (docs/ledger-format.md, "What an entry covers").</summary>
public sealed class BundleState
{
    private static readonly HashSet<string> NotState = new(StringComparer.Ordinal) { "events", "evidence", "findings", "run", "created_sources", "name", "claim" };

    public sealed record EvidenceItem(
        [property: System.Text.Json.Serialization.JsonPropertyName("name")] string Name,
        [property: System.Text.Json.Serialization.JsonPropertyName("stance")] string Stance,
        [property: System.Text.Json.Serialization.JsonPropertyName("source")] string Source,
        [property: System.Text.Json.Serialization.JsonPropertyName("excerpt")] string Excerpt,
        [property: System.Text.Json.Serialization.JsonPropertyName("removed")] bool Removed);

    public Dictionary<string, JsonNode?> Claim { get; } = new(StringComparer.Ordinal);

    public List<EvidenceItem> Evidence { get; } = [];

    public static BundleState Fold(string claim, IReadOnlyList<LedgerLeaf> entries)
    {
        var state = new BundleState();
        var evidence = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            if (e.Subject == claim)
            {
                foreach (var (name, value) in e.Changes)
                {
                    if (!NotState.Contains(name))
                    {
                        state.Claim[name] = value?.DeepClone();
                    }
                }

                foreach (var item in (e.Changes["evidence"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    if (item["name"]?.GetValue<string>() is { } name)
                    {
                        evidence[name] = Merge(evidence.GetValueOrDefault(name), item);
                    }
                }
            }
            else if (e.Subject.StartsWith(claim + "/evidence/", StringComparison.Ordinal))
            {
                evidence[e.Subject] = Merge(evidence.GetValueOrDefault(e.Subject), e.Changes);
            }

            if (e.Changes["claim"] is JsonObject sideEffect && sideEffect["name"]?.GetValue<string>() == claim)
            {
                foreach (var (name, value) in sideEffect)
                {
                    if (!NotState.Contains(name))
                    {
                        state.Claim[name] = value?.DeepClone();
                    }
                }
            }
        }

        state.Evidence.AddRange(evidence.Select(kv => new EvidenceItem(kv.Key, Text(kv.Value["stance"]), Text(kv.Value["source"]), Text(kv.Value["excerpt"]),
            kv.Value["removed"] is JsonValue removed && removed.TryGetValue<bool>(out var r) && r)));
        return state;
    }

    private static JsonObject Merge(JsonObject? state, JsonObject changes)
    {
        state ??= new JsonObject();
        foreach (var (name, value) in changes)
        {
            state[name] = value?.DeepClone();
        }

        return state;
    }

    private static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    /// <summary>The fields a person reads, in a fixed order, then any others the entries recorded.</summary>
    public IEnumerable<(string Name, string Value)> Fields()
    {
        string[] order = ["text", "claimant", "status", "language_code", "topics", "claim_time", "create_time", "update_time"];
        foreach (var name in order)
        {
            yield return (name.Replace('_', ' '), Text(Claim.GetValueOrDefault(name)));
        }

        if (Claim.GetValueOrDefault("verdict") is JsonObject verdict)
        {
            yield return ("verdict rating", Text(verdict["rating"]));
            yield return ("verdict rationale", Text(verdict["rationale"]));
            yield return ("verdict reviewer", Text(verdict["reviewer"]));
            yield return ("verdict time", Text(verdict["create_time"]));
        }

        foreach (var (name, value) in Claim.Where(kv => !order.Contains(kv.Key) && kv.Key != "verdict").OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            yield return (name.Replace('_', ' '), Text(value));
        }
    }
}
