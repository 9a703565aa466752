// End-to-end test of the transparency features against the real server: a client holding only the .proto files writes
// claims, sources and evidence, then — as an AUDITOR — fetches the verifier key, signed checkpoints, inclusion and
// consistency proofs and a claim proof bundle, and checks every one of them with transparency.mjs (an implementation
// written from docs/ledger-format.md alone). Each check is also shown to catch damage: a byte of a leaf, a proof hash,
// the note text, a wrong key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connect, errorDetails } from './claimledger.mjs';
import { bundleJson } from './claim-proof.mjs';
import { startServer } from './server.mjs';
import {
  TransparencyError, keyHashOf, leafHash, parseVerifierKey, verifyCheckpoint, verifyClaimBundle,
  verifyConsistency, verifyInclusion, verifySignedNote,
} from './transparency.mjs';

// Entries integrated within 20 ms of their commit, and a checkpoint signed after every integration.
const ENVIRONMENT = {
  Ledger__Integration__Delay: '00:00:00.020',
  Ledger__Checkpoints__Interval: '00:00:00',
  Staleness__Enabled: 'false', // no scheduled job writes to the ledger during the test
  Logging__LogLevel__Default: 'Warning',
};

const rejects = (fn, pattern, what = '') => assert.throws(fn, (error) => {
  assert.ok(error instanceof TransparencyError, `${what}: expected a TransparencyError, got ${error?.stack ?? error}`);
  if (pattern) assert.match(error.message, pattern, what);
  return true;
}, what);
const b64 = (bytes) => Buffer.from(bytes).toString('base64');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** A copy of `bytes` with bit `bit` of byte `index` flipped. */
const flip = (bytes, index, bit = 0) => { const copy = Buffer.from(bytes); copy[index] ^= 1 << bit; return copy; };

let server; let admin; let editor; let auditor;
const world = {}; // what the setup wrote and the checkpoints it waited for

/** The auditor's LedgerService call. */
const ledger = (method, request = {}) => auditor.call('ledger', method, request);

/** Waits for a checkpoint whose tree holds the whole ledger as it is now; returns { head, checkpoint }. */
async function checkpointOfHead() {
  const head = Number((await ledger('GetLedgerDigest')).head_sequence);
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(20)) {
    try {
      const checkpoint = await ledger('GetCheckpoint', {});
      if (Number(checkpoint.tree_size) >= head) return { head, checkpoint };
    } catch (error) {
      if (errorDetails(error).reason !== 'NOT_INTEGRATED') throw error; // else: none signed yet
    }
  }
  throw new Error(`no checkpoint reached the ledger head ${head} within 30 seconds`);
}

/** Every ledger entry, in order. */
async function ledgerEntries() {
  const entries = []; let pageToken = '';
  do {
    const page = await ledger('ListLedgerEntries', { page_size: 100, page_token: pageToken });
    entries.push(...page.entries);
    pageToken = page.next_page_token;
  } while (pageToken);
  return entries;
}

/** Every checkpoint, oldest first, through all pages. */
async function allCheckpoints() {
  const checkpoints = []; let pageToken = '';
  do {
    const page = await ledger('ListCheckpoints', { page_size: 3, page_token: pageToken }); // small pages: paging is used
    checkpoints.push(...page.checkpoints);
    pageToken = page.next_page_token;
  } while (pageToken);
  return checkpoints;
}

/** A fresh Ed25519 key: { publicKey (32 bytes), privateKey (KeyObject), verifierKey(name) → its verifier key text }. */
function generatedKey() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return {
    publicKey: raw,
    privateKey,
    verifierKey: (name) => `${name}+${keyHashOf(name, raw).toString('hex')}+${b64(Buffer.concat([Buffer.from([0x01]), raw]))}`,
  };
}

before(async () => {
  server = await startServer(ENVIRONMENT);
  admin = connect(server.address, await server.adminKey());
  await admin.waitForReady(60_000);
  const key = async (name, role) => (await admin.call('access', 'CreateApiKey', { api_key: { display_name: name, role } })).key;
  editor = connect(server.address, await key('transparency-editor', 'EDITOR'));
  world.auditorKey = await key('transparency-auditor', 'AUDITOR');
  auditor = connect(server.address, world.auditorKey);
  const run = Date.now();

  // Phase 1: two sources (titles that need UTF-8 and JSON escapes), two claims citing them.
  const source = (path, title) => editor.call('sources', 'CreateSource', { source: { url: `https://transparency.example.org/${path}/${run}`, kind: 'NEWS_ARTICLE', title } });
  world.sourceA = await source('a', 'Überprüfung: "Zitat" \\ é — 😀 ✓');
  world.sourceB = await source('b', 'Second report\twith a tab');
  const claim = (text, evidence) => editor.call('claims', 'CreateClaim', {
    claim: { text: `${text} (${run})`, claimant: 'Example Daily', language_code: 'en', topics: ['transparency'] },
    evidence, allow_duplicate: true });
  world.claimA = await claim('A minister said the bridge opened in 1999.', [{ source: world.sourceA.name, stance: 'ORIGIN', excerpt: 'opened in 1999', locator: 'paragraph 2' }]);
  world.evidenceA = await editor.call('evidence', 'AddEvidence', { parent: world.claimA.name,
    evidence: { source: world.sourceB.name, stance: 'REFUTES', excerpt: 'The bridge opened in 2001.' } });
  world.claimB = await claim('A second claim citing the first source.', [{ source: world.sourceA.name, stance: 'ORIGIN', excerpt: 'second' }]);
  world.first = await checkpointOfHead();

  // Phase 2: more writes, for a second checkpoint — a review and verdict on claim A, a third claim, and more sources
  // (a tree of over 16 entries, so that proofs span five levels).
  const review = await editor.call('claims', 'StartReview', { name: world.claimA.name, etag: world.claimA.etag, note: 'checking the date' });
  world.verdictA = await editor.call('claims', 'SubmitVerdict', { name: world.claimA.name, etag: review.etag, rating: 'FALSE',
    rationale: 'The register says 2001.', evidence: [world.evidenceA.name] });
  world.claimC = await claim('A third claim, written after the first checkpoint.', [{ source: world.sourceB.name, stance: 'SUPPORTS', excerpt: 'third' }]);
  world.more = [];
  for (let i = 0; i < 8; i++) world.more.push(await source(`more-${i}`, `Another report, number ${i}`));
  // Evidence on claim B citing one of them, then removed: its source stays part of claim B's bundle.
  const cited = await editor.call('evidence', 'AddEvidence', { parent: world.claimB.name,
    evidence: { source: world.more[3].name, stance: 'SUPPORTS', excerpt: 'mentioned in passing' } });
  world.removedB = await editor.call('evidence', 'RemoveEvidence', { name: cited.name, etag: cited.etag });
  world.second = await checkpointOfHead();

  world.verifierKey = await ledger('GetVerifierKey');
  world.entries = await ledgerEntries();
}, { timeout: 180_000 });

after(async () => {
  for (const client of [admin, editor, auditor]) client?.close();
  await server?.stop();
});

test('the verifier key parses, its key hash is its name\'s and public key\'s, and it names the checkpoints\' origin', () => {
  const { verifier_key: text, origin } = world.verifierKey;
  const key = parseVerifierKey(text);
  assert.equal(key.name, origin);
  assert.equal(key.publicKey.length, 32);
  assert.deepEqual(key.keyHash, keyHashOf(key.name, key.publicKey));
  for (const { checkpoint } of [world.first, world.second]) assert.equal(checkpoint.origin, origin);
});

test('the checkpoints verify with the verifier key, hold the whole ledger, and agree with the fields beside the note', () => {
  const key = world.verifierKey.verifier_key;
  for (const { head, checkpoint } of [world.first, world.second]) {
    const verified = verifyCheckpoint(checkpoint.note, key);
    assert.equal(verified.origin, checkpoint.origin);
    assert.equal(verified.treeSize, BigInt(checkpoint.tree_size));
    assert.ok(verified.treeSize >= BigInt(head), `checkpoint of ${verified.treeSize} entries, ledger head ${head}`);
    assert.deepEqual(verified.rootHash, checkpoint.root_hash);
    assert.equal(verifySignedNote(checkpoint.note, key).signatures, 1);
  }
  assert.ok(BigInt(world.second.checkpoint.tree_size) > BigInt(world.first.checkpoint.tree_size));
  assert.equal(BigInt(world.second.checkpoint.tree_size), BigInt(world.entries.length), 'the second checkpoint holds every entry');
});

test('every entry has an inclusion proof in the checkpoint, and its leaf is exactly what the hash chain hashes', async () => {
  const { checkpoint } = world.second;
  const { treeSize, rootHash } = verifyCheckpoint(checkpoint.note, world.verifierKey.verifier_key);
  let previousHash = '0'.repeat(64);
  for (const entry of world.entries) {
    const sequence = Number(entry.sequence);
    const proof = await ledger('GetInclusionProof', { sequence, tree_size: checkpoint.tree_size });
    assert.equal(Number(proof.sequence), sequence);
    assert.equal(Number(proof.leaf_index), sequence - 1);
    assert.equal(BigInt(proof.tree_size), treeSize);
    const leaf = Buffer.from(proof.leaf, 'utf8');
    assert.deepEqual(proof.leaf_hash, leafHash(leaf), `entry ${sequence}: leaf_hash is SHA-256(0x00 ‖ leaf)`);
    assert.equal(verifyInclusion(BigInt(sequence - 1), treeSize, leafHash(leaf), proof.hashes, rootHash), true);

    // The leaf is canonical_entry (docs/ledger-format.md, "Hashing"): the chain's entry_hash is SHA-256 over it.
    const parsed = JSON.parse(proof.leaf);
    assert.deepEqual([parsed.sequence, parsed.subject, parsed.action, parsed.actor], [sequence, entry.subject, entry.action, entry.actor]);
    assert.equal(entry.previous_hash, previousHash);
    const chained = createHash('sha256').update(Buffer.from(previousHash, 'hex')).update(leaf).digest('hex');
    assert.equal(chained, entry.entry_hash, `entry ${sequence}: entry_hash = SHA-256(previous_hash ‖ leaf)`);
    previousHash = entry.entry_hash;
  }

  // tree_size 0 proves against the latest checkpoint: the same proof.
  const latest = await ledger('GetInclusionProof', { sequence: 1 });
  const explicit = await ledger('GetInclusionProof', { sequence: 1, tree_size: latest.tree_size });
  assert.deepEqual(latest, explicit);
  const { rootHash: latestRoot } = verifyCheckpoint((await ledger('GetCheckpoint', { tree_size: latest.tree_size })).note, world.verifierKey.verifier_key);
  assert.equal(verifyInclusion(0n, BigInt(latest.tree_size), latest.leaf_hash, latest.hashes, latestRoot), true);
});

test('inclusion proofs in the first checkpoint verify against its root, and not against the second\'s', async () => {
  const key = world.verifierKey.verifier_key;
  const first = verifyCheckpoint(world.first.checkpoint.note, key);
  const second = verifyCheckpoint(world.second.checkpoint.note, key);
  for (let sequence = 1; BigInt(sequence) <= first.treeSize; sequence++) {
    const proof = await ledger('GetInclusionProof', { sequence, tree_size: world.first.checkpoint.tree_size });
    const hash = leafHash(Buffer.from(proof.leaf, 'utf8'));
    assert.equal(verifyInclusion(BigInt(sequence - 1), first.treeSize, hash, proof.hashes, first.rootHash), true);
    rejects(() => verifyInclusion(BigInt(sequence - 1), second.treeSize, hash, proof.hashes, second.rootHash), undefined, `entry ${sequence} in the second tree`);
  }
});

test('damage to an inclusion proof is detected: a byte of the leaf, a bit of any proof hash, a hash more or less, another index', async () => {
  const { treeSize, rootHash } = verifyCheckpoint(world.second.checkpoint.note, world.verifierKey.verifier_key);
  let damaged = 0;
  for (const entry of world.entries) {
    const sequence = Number(entry.sequence);
    const index = BigInt(sequence - 1);
    const proof = await ledger('GetInclusionProof', { sequence, tree_size: world.second.checkpoint.tree_size });
    const leaf = Buffer.from(proof.leaf, 'utf8');
    // A byte of the leaf: every position would take long; a spread of positions, first and last included.
    for (const position of new Set([0, leaf.length - 1, (sequence * 7919) % leaf.length, leaf.indexOf('"time"') + 9])) {
      rejects(() => verifyInclusion(index, treeSize, leafHash(flip(leaf, position)), proof.hashes, rootHash),
        /does not lead to the root/, `entry ${sequence}, leaf byte ${position}`);
      damaged += 1;
    }
    assert.ok(proof.hashes.length > 0, `entry ${sequence} of ${treeSize} has a non-empty proof`);
    for (let h = 0; h < proof.hashes.length; h++) {
      for (const bit of [0, 7]) {
        const hashes = proof.hashes.map((x, i) => (i === h ? flip(x, (h * 5 + bit) % 32, bit) : x));
        rejects(() => verifyInclusion(index, treeSize, leafHash(leaf), hashes, rootHash), /does not lead to the root/, `entry ${sequence}, proof hash ${h}`);
        damaged += 1;
      }
    }
    rejects(() => verifyInclusion(index, treeSize, leafHash(leaf), proof.hashes.slice(1), rootHash), /inclusion proof has/);
    rejects(() => verifyInclusion(index, treeSize, leafHash(leaf), [...proof.hashes, rootHash], rootHash), /inclusion proof has/);
    const otherIndex = (index + 1n) % treeSize;
    rejects(() => verifyInclusion(otherIndex, treeSize, leafHash(leaf), proof.hashes, rootHash), undefined, `entry ${sequence} as leaf ${otherIndex}`);
    rejects(() => verifyInclusion(index, treeSize, leaf, proof.hashes, rootHash), /leaf hash/, 'the leaf itself instead of its hash');
  }
  assert.ok(damaged > world.entries.length * 4);
});

test('ListCheckpoints: every checkpoint, oldest first, signed, and consistent with every later one (GetConsistencyProof)', async (t) => {
  const key = world.verifierKey.verifier_key;
  const listed = await allCheckpoints();
  const sizes = listed.map((c) => BigInt(c.tree_size));
  for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i] > sizes[i - 1], `sizes strictly increase: ${sizes.join(', ')}`);
  for (const { checkpoint } of [world.first, world.second]) {
    assert.ok(listed.some((c) => c.note === checkpoint.note), `checkpoint of ${checkpoint.tree_size} is listed`);
  }
  const verified = listed.map((c) => {
    const v = verifyCheckpoint(c.note, key);
    assert.equal(v.treeSize, BigInt(c.tree_size));
    assert.deepEqual(v.rootHash, c.root_hash);
    return v;
  });
  for (const c of listed) {
    assert.equal((await ledger('GetCheckpoint', { tree_size: c.tree_size })).note, c.note, `GetCheckpoint(${c.tree_size})`);
  }

  // Every later checkpoint extends every earlier one; a checkpoint extends itself with an empty proof.
  const latest = verified.at(-1);
  const pairs = verified.flatMap((older, i) => verified.slice(i).map((newer) => [older, newer]));
  for (const [older, newer] of pairs) {
    const proof = await ledger('GetConsistencyProof', { first_size: String(older.treeSize), second_size: String(newer.treeSize) });
    assert.equal(BigInt(proof.first_size), older.treeSize);
    assert.equal(BigInt(proof.second_size), newer.treeSize);
    assert.equal(verifyConsistency(older.treeSize, newer.treeSize, older.rootHash, newer.rootHash, proof.hashes), true,
      `${older.treeSize} → ${newer.treeSize}`);
  }
  t.diagnostic(`${listed.length} checkpoints (tree sizes ${sizes.join(', ')}); ${pairs.length} consistency proofs verified`);
  // second_size 0: the latest checkpoint's.
  const toLatest = await ledger('GetConsistencyProof', { first_size: world.first.checkpoint.tree_size });
  assert.equal(BigInt(toLatest.second_size), latest.treeSize);
  assert.equal(verifyConsistency(BigInt(world.first.checkpoint.tree_size), latest.treeSize, world.first.checkpoint.root_hash, latest.rootHash, toLatest.hashes), true);
});

test('damage to a consistency proof is detected: a bit of any hash, a hash more or less, swapped or damaged roots, another size1', async () => {
  const key = world.verifierKey.verifier_key;
  const first = verifyCheckpoint(world.first.checkpoint.note, key);
  const second = verifyCheckpoint(world.second.checkpoint.note, key);
  const { hashes } = await ledger('GetConsistencyProof', { first_size: world.first.checkpoint.tree_size, second_size: world.second.checkpoint.tree_size });
  assert.equal(verifyConsistency(first.treeSize, second.treeSize, first.rootHash, second.rootHash, hashes), true);
  assert.ok(hashes.length > 0);
  for (let h = 0; h < hashes.length; h++) {
    for (let bit = 0; bit < 8; bit++) {
      const damaged = hashes.map((x, i) => (i === h ? flip(x, (h + bit * 3) % 32, bit) : x));
      rejects(() => verifyConsistency(first.treeSize, second.treeSize, first.rootHash, second.rootHash, damaged), /consistency proof does not/,
        `hash ${h}, bit ${bit}`);
    }
  }
  rejects(() => verifyConsistency(first.treeSize, second.treeSize, first.rootHash, second.rootHash, hashes.slice(0, -1)), /consistency proof (has|is empty)/);
  rejects(() => verifyConsistency(first.treeSize, second.treeSize, first.rootHash, second.rootHash, hashes.slice(1)), /consistency proof (has|is empty)/);
  rejects(() => verifyConsistency(first.treeSize, second.treeSize, first.rootHash, second.rootHash, [...hashes, second.rootHash]), /consistency proof has/);
  rejects(() => verifyConsistency(first.treeSize, second.treeSize, second.rootHash, first.rootHash, hashes), /consistency proof does not/);
  // Another root1: when size1 is a power of two, root1 is itself the proof's first node, so it is root2 that is then missed.
  rejects(() => verifyConsistency(first.treeSize, second.treeSize, flip(first.rootHash, 31), second.rootHash, hashes), /consistency proof does not/);
  rejects(() => verifyConsistency(first.treeSize, second.treeSize, first.rootHash, flip(second.rootHash, 0), hashes), /lead to root2/);
  // Another size1 (a proof only binds the sizes through the signed checkpoints the roots come from: 8 → 11 and 8 → 12
  // proofs have the same shape, so a size is checked by taking it from a verified checkpoint, as above).
  rejects(() => verifyConsistency(first.treeSize - 1n, second.treeSize, first.rootHash, second.rootHash, hashes));
});

test('damage to a signed checkpoint is detected: any character of its text changed or removed, its signature, a wrong key', () => {
  const keyText = world.verifierKey.verifier_key;
  const key = parseVerifierKey(keyText);
  const { note } = world.second.checkpoint;
  const split = note.lastIndexOf('\n\n') + 1; // the text is note[0, split); then a blank line and the signature line
  const text = note.slice(0, split);
  const signatureLine = note.slice(split + 1);
  assert.equal(text.split('\n').length, 4, 'origin, tree size, root hash, and the newline that ends the text');

  for (let i = 0; i < text.length; i++) {
    const changed = `${text.slice(0, i)}${text[i] === 'A' ? 'B' : 'A'}${text.slice(i + 1)}\n${signatureLine}`;
    rejects(() => verifyCheckpoint(changed, keyText), undefined, `character ${i} changed`);
    const removed = `${text.slice(0, i)}${text.slice(i + 1)}\n${signatureLine}`;
    rejects(() => verifyCheckpoint(removed, keyText), undefined, `character ${i} removed`);
  }
  // Another checkpoint's text under this signature: well formed, signed by the key — but not this text.
  const otherText = world.first.checkpoint.note.slice(0, world.first.checkpoint.note.lastIndexOf('\n\n') + 1);
  rejects(() => verifyCheckpoint(`${otherText}\n${signatureLine}`, keyText), /does not verify over the note text/);

  // The signature: any bit of it.
  const [, name, encoded] = /^\u2014 (\S+) (\S+)\n$/.exec(signatureLine);
  const blob = Buffer.from(encoded, 'base64');
  assert.equal(blob.length, 4 + 64);
  assert.deepEqual(blob.subarray(0, 4), key.keyHash);
  for (let i = 4; i < blob.length; i++) {
    rejects(() => verifyCheckpoint(`${text}\n\u2014 ${name} ${b64(flip(blob, i, i % 8))}\n`, keyText), /does not verify/, `signature byte ${i}`);
  }
  // A key hash that is not the key's: the line is another key's, so there is no signature by the key.
  rejects(() => verifyCheckpoint(`${text}\n\u2014 ${name} ${b64(flip(blob, 0))}\n`, keyText), /no signature by/);

  // Wrong keys: a fresh key under the log's name, one under another name, and the log's key under another name.
  const stranger = generatedKey();
  rejects(() => verifyCheckpoint(note, stranger.verifierKey(key.name)), /no signature by/);
  rejects(() => verifyCheckpoint(note, stranger.verifierKey('example.org/other-log')), /no signature by/);
  const renamed = `example.org/other-log+${keyHashOf('example.org/other-log', key.publicKey).toString('hex')}+${b64(Buffer.concat([Buffer.from([1]), key.publicKey]))}`;
  rejects(() => verifyCheckpoint(note, renamed), /no signature by/);
  // The log's name and key hash with another public key: the verifier key itself is refused.
  rejects(() => verifyCheckpoint(note, `${key.name}+${key.keyHash.toString('hex')}+${b64(Buffer.concat([Buffer.from([1]), stranger.publicKey]))}`),
    /does not match its name and public key/);
  // A signature by another key under the log's name and key hash (a forgery): it does not verify.
  const forged = Buffer.concat([key.keyHash, sign(null, Buffer.from(text, 'utf8'), stranger.privateKey)]);
  rejects(() => verifyCheckpoint(`${text}\n\u2014 ${name} ${b64(forged)}\n`, keyText), /does not verify/);
  // And a checkpoint the stranger signed properly for the log's origin verifies only with the stranger's key.
  const strangerLine = `\u2014 ${key.name} ${b64(Buffer.concat([keyHashOf(key.name, stranger.publicKey), sign(null, Buffer.from(text, 'utf8'), stranger.privateKey)]))}\n`;
  assert.equal(verifyCheckpoint(`${text}\n${strangerLine}`, stranger.verifierKey(key.name)).treeSize, BigInt(world.second.checkpoint.tree_size));
  rejects(() => verifyCheckpoint(`${text}\n${strangerLine}`, keyText), /no signature by/);
});

/** The entries a bundle of `claim` up to `treeSize` must hold, found independently in the ledger: the claim's, its evidence's, and the cited sources'. */
function expectedBundleSequences(claim, treeSize) {
  const upTo = world.entries.filter((e) => BigInt(e.sequence) <= treeSize);
  const own = upTo.filter((e) => e.subject === claim || e.subject.startsWith(`${claim}/`));
  const cited = new Set(own.flatMap((e) => {
    const changes = JSON.parse(e.changes);
    return e.subject === claim ? (changes.evidence ?? []).map((x) => x.source) : [changes.source];
  }));
  return upTo.filter((e) => own.includes(e) || cited.has(e.subject)).map((e) => Number(e.sequence));
}

test('a claim proof bundle, in the bundle file format, verifies and gives the claim as the server shows it', async () => {
  const keyText = world.verifierKey.verifier_key;
  const claim = world.claimA.name;
  const reply = await ledger('GetClaimProof', { name: claim, tree_size: world.second.checkpoint.tree_size });
  assert.equal(reply.checkpoint.note, world.second.checkpoint.note);
  const json = bundleJson(reply);
  const result = verifyClaimBundle(json, keyText, { claim });
  // The reply as protobuf gives it (sequence as a string, proof hashes as bytes) verifies the same.
  assert.deepEqual(verifyClaimBundle(reply, keyText, { claim }), result);

  assert.equal(result.claim, claim);
  assert.equal(result.checkpoint.treeSize, BigInt(world.second.checkpoint.tree_size));
  assert.deepEqual(result.checkpoint.rootHash, world.second.checkpoint.root_hash);
  const sequences = expectedBundleSequences(claim, result.checkpoint.treeSize);
  assert.equal(result.entries, sequences.length);
  assert.deepEqual(reply.entries.map((e) => Number(e.sequence)), sequences);

  // The claim as of the checkpoint is the claim as it is now (nothing changed it since).
  const now = await editor.call('claims', 'GetClaim', { name: claim });
  assert.equal(result.state.status, now.status);
  assert.equal(result.state.status, world.verdictA.status);
  assert.equal(result.state.verdict.rating, now.verdict.rating);
  assert.equal(result.state.text, now.text);
  assert.deepEqual(result.history.map((h) => h.action), ['claim.created', 'evidence.added', 'claim.review_started', 'claim.verdict_submitted']);
  assert.deepEqual(Object.keys(result.evidence), [world.evidenceA.name]);
  assert.deepEqual(Object.keys(result.sources).sort(), [world.sourceA.name, world.sourceB.name].sort());
  assert.equal(result.sources[world.sourceA.name].title, world.sourceA.title);
  assert.deepEqual(result.sourcesWithoutEntries, []);
  for (const e of reply.entries) {
    const subject = JSON.parse(e.leaf).subject;
    assert.ok(![world.claimB.name, world.claimC.name].includes(subject), `no entry of another claim (${subject})`);
  }

  // Each entry's inclusion proof is the one GetInclusionProof gives for the same tree.
  for (const e of reply.entries) {
    const proof = await ledger('GetInclusionProof', { sequence: e.sequence, tree_size: world.second.checkpoint.tree_size });
    assert.equal(proof.leaf, e.leaf);
    assert.deepEqual(proof.hashes, e.inclusion_proof);
  }
});

test('every claim\'s bundle verifies and holds exactly the entries of the claim, its evidence and the sources cited', async () => {
  const keyText = world.verifierKey.verifier_key;
  const treeSize = BigInt(world.second.checkpoint.tree_size);
  for (const claim of [world.claimA, world.claimB, world.claimC].map((c) => c.name)) {
    const reply = await ledger('GetClaimProof', { name: claim });
    assert.equal(reply.checkpoint.note, world.second.checkpoint.note, 'tree_size 0: the latest checkpoint');
    const result = verifyClaimBundle(bundleJson(reply), keyText, { claim });
    assert.deepEqual(reply.entries.map((e) => Number(e.sequence)), expectedBundleSequences(claim, treeSize), claim);
    assert.equal(result.entries, reply.entries.length);
    assert.equal(result.state.status, (await editor.call('claims', 'GetClaim', { name: claim })).status);
  }
  const b = verifyClaimBundle(bundleJson(await ledger('GetClaimProof', { name: world.claimB.name })), keyText);
  assert.deepEqual(b.evidence[world.removedB.name].removed, true);
  assert.deepEqual(Object.keys(b.sources).sort(), [world.sourceA.name, world.more[3].name].sort());
  assert.deepEqual(b.history.map((h) => h.action), ['claim.created', 'evidence.added', 'evidence.removed']);
});

test('a bundle as of an earlier sequence (as_of_sequence) verifies against the latest checkpoint and stops there', async () => {
  const claim = world.claimA.name;
  const evidenceAdded = world.entries.find((e) => e.subject === world.evidenceA.name);
  const asOf = Number(evidenceAdded.sequence);
  const reply = await ledger('GetClaimProof', { name: claim, tree_size: world.second.checkpoint.tree_size, as_of_sequence: asOf });
  assert.equal(Number(reply.as_of_sequence), asOf);
  const result = verifyClaimBundle(bundleJson(reply), world.verifierKey.verifier_key, { claim });
  assert.equal(result.checkpoint.treeSize, BigInt(world.second.checkpoint.tree_size));
  assert.deepEqual(reply.entries.map((e) => Number(e.sequence)), expectedBundleSequences(claim, BigInt(asOf)));
  assert.equal(result.lastChange.action, 'claim.created');
  assert.equal(result.state.status, world.claimA.status);
  assert.deepEqual(result.history.map((h) => h.action), ['claim.created', 'evidence.added']);
});

test('a bundle for the first checkpoint shows the claim as it stood then', async () => {
  const claim = world.claimA.name;
  const treeSize = world.first.checkpoint.tree_size;
  const reply = await ledger('GetClaimProof', { name: claim, tree_size: treeSize });
  const result = verifyClaimBundle(bundleJson(reply), world.verifierKey.verifier_key, { claim });
  assert.equal(result.checkpoint.treeSize, BigInt(treeSize));
  assert.deepEqual(reply.entries.map((e) => Number(e.sequence)), expectedBundleSequences(claim, BigInt(treeSize)));
  assert.equal(result.state.status, world.claimA.status);
  assert.equal(result.state.verdict, null);
  assert.deepEqual(result.history.map((h) => h.action), ['claim.created', 'evidence.added']);
});

test('damage to a claim proof bundle is detected: a leaf, a proof hash, the checkpoint, a wrong key, entries not the claim\'s', async () => {
  const keyText = world.verifierKey.verifier_key;
  const claim = world.claimA.name;
  const reply = await ledger('GetClaimProof', { name: claim, tree_size: world.second.checkpoint.tree_size });
  const bundle = JSON.parse(bundleJson(reply));
  const damaged = (change) => { const copy = structuredClone(bundle); change(copy); return `${JSON.stringify(copy, null, 2)}\n`; };
  verifyClaimBundle(damaged(() => {}), keyText, { claim }); // the undamaged copy verifies

  for (const [i, entry] of bundle.entries.entries()) {
    // One byte of the leaf, the leaf staying canonical JSON: the last digit of its time (the microseconds).
    const at = entry.leaf.indexOf('Z","') - 1;
    const digit = entry.leaf[at];
    assert.match(digit, /[0-9]/);
    rejects(() => verifyClaimBundle(damaged((b) => { b.entries[i].leaf = `${entry.leaf.slice(0, at)}${(Number(digit) + 1) % 10}${entry.leaf.slice(at + 1)}`; }), keyText),
      /inclusion proof does not lead to the root/, `entry ${entry.sequence}: time changed`);
    // Any byte flipped: rejected, whatever it breaks (JSON, canonical form, the proof).
    const leafBytes = Buffer.from(entry.leaf, 'utf8');
    const position = (entry.sequence * 31) % leafBytes.length;
    rejects(() => verifyClaimBundle(damaged((b) => { b.entries[i].leaf = flip(leafBytes, position, 1).toString('utf8'); }), keyText),
      undefined, `entry ${entry.sequence}: leaf byte ${position}`);
    // A bit of each proof hash.
    for (let h = 0; h < entry.inclusion_proof.length; h++) {
      rejects(() => verifyClaimBundle(damaged((b) => { b.entries[i].inclusion_proof[h] = b64(flip(Buffer.from(entry.inclusion_proof[h], 'base64'), h % 32, 3)); }), keyText),
        /inclusion proof does not lead to the root/, `entry ${entry.sequence}, proof hash ${h}`);
    }
    rejects(() => verifyClaimBundle(damaged((b) => { b.entries[i].sequence += 1; }), keyText), undefined, `entry ${entry.sequence}: sequence changed`);
  }

  // The checkpoint: its tree size or root hash changed, or another genuine checkpoint (of fewer entries) put in.
  const [origin, size, root] = bundle.checkpoint.split('\n');
  const rest = bundle.checkpoint.split('\n').slice(3).join('\n');
  rejects(() => verifyClaimBundle(damaged((b) => { b.checkpoint = [origin, String(Number(size) + 1), root, rest].join('\n'); }), keyText), /does not verify/);
  rejects(() => verifyClaimBundle(damaged((b) => { b.checkpoint = [origin, size, b64(world.first.checkpoint.root_hash), rest].join('\n'); }), keyText), /does not verify/);
  rejects(() => verifyClaimBundle(damaged((b) => { b.checkpoint = world.first.checkpoint.note; }), keyText));

  // A wrong key.
  rejects(() => verifyClaimBundle(damaged(() => {}), generatedKey().verifierKey(origin), { claim }), /no signature by/);

  // An entry of another claim, with its genuine inclusion proof: in the log, but not about this claim.
  const other = await ledger('GetClaimProof', { name: world.claimC.name, tree_size: world.second.checkpoint.tree_size });
  const foreign = other.entries.find((e) => JSON.parse(e.leaf).subject === world.claimC.name);
  rejects(() => verifyClaimBundle(damaged((b) => {
    b.entries.push({ sequence: Number(foreign.sequence), leaf: foreign.leaf, inclusion_proof: foreign.inclusion_proof.map(b64) });
    b.entries.sort((x, y) => x.sequence - y.sequence);
  }), keyText), /is neither/);
  // The bundle passed off as another claim's, or asked about another claim.
  rejects(() => verifyClaimBundle(damaged((b) => { b.claim = world.claimC.name; }), keyText), /is neither/);
  rejects(() => verifyClaimBundle(damaged(() => {}), keyText, { claim: world.claimB.name }), /not claims\//);
  // Without the entry that created the claim, or out of order.
  // (Leaving out the creation also leaves out the citation of source A, so its entries go too.)
  rejects(() => verifyClaimBundle(damaged((b) => {
    b.entries = b.entries.filter((e) => !['claim.created'].includes(JSON.parse(e.leaf).action) && JSON.parse(e.leaf).subject !== world.sourceA.name);
  }), keyText), /not its creation/);
  rejects(() => verifyClaimBundle(damaged((b) => { b.entries = b.entries.filter((e) => JSON.parse(e.leaf).action !== 'claim.created'); }), keyText),
    /is neither/);
  rejects(() => verifyClaimBundle(damaged((b) => { b.entries.reverse(); }), keyText), /strictly increase/);
  // Not the bundle format.
  rejects(() => verifyClaimBundle(damaged((b) => { b.format = 'claimledger.claim-proof.v2'; }), keyText), /bundle format/);
});

test('the README\'s commands: claim-proof.mjs fetches the bundle and the key, transparency.mjs verify-bundle checks it', async () => {
  const run = promisify(execFile);
  const here = path.dirname(fileURLToPath(import.meta.url));
  const env = { ...process.env, CLAIMLEDGER_API_KEY: world.auditorKey };
  const node = (...args) => run(process.execPath, args, { cwd: here, env });
  const folder = mkdtempSync(path.join(os.tmpdir(), 'claimledger-bundle-'));
  try {
    const claim = world.claimA.name;
    const { stdout: bundle } = await node('claim-proof.mjs', server.address, claim, String(world.second.checkpoint.tree_size));
    const { stdout: key } = await node('claim-proof.mjs', server.address, '--verifier-key');
    assert.equal(key.trim(), world.verifierKey.verifier_key);
    assert.equal(JSON.parse(bundle).checkpoint, world.second.checkpoint.note);
    const file = path.join(folder, 'bundle.json');
    writeFileSync(file, bundle);
    const { stdout, stderr } = await node('transparency.mjs', 'verify-bundle', file, key.trim(), claim);
    assert.equal(JSON.parse(stdout).state.status, world.verdictA.status);
    assert.match(stderr, /^verified: \d+ entries about claims\//);

    // The same file with one character of a leaf changed: NOT VERIFIED, exit code 1.
    const damaged = JSON.parse(bundle);
    damaged.entries[0].leaf = damaged.entries[0].leaf.replace('"sequence":', '"sequence": ');
    writeFileSync(file, JSON.stringify(damaged, null, 2));
    await assert.rejects(node('transparency.mjs', 'verify-bundle', file, key.trim(), claim),
      (error) => error.code === 1 && /NOT VERIFIED: .*not canonical JSON/.test(error.stderr));
    // An unknown claim: the fetch fails with the server's error, exit code 1.
    await assert.rejects(node('claim-proof.mjs', server.address, `claims/${'0'.repeat(32)}`),
      (error) => error.code === 1 && /NOT_FOUND/.test(error.stderr));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
