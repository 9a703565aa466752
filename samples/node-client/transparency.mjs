// An independent verifier of the ledger's transparency features — the Merkle tree, signed checkpoints and claim proof
// bundles — written from docs/ledger-format.md alone ("The Merkle tree", "Checkpoints", "Claim proof bundles") with
// nothing but node:crypto. Every check throws a TransparencyError naming the problem; a verifier returns only when
// everything holds.
//
//   node transparency.mjs verify-bundle bundle.json '<verifier key>' [claims/…]   prints the claim as of the checkpoint
//   node transparency.mjs vectors [dir]    runs the RFC 6962/9162 proof vectors (default: tests/TestVectors/merkle)
//
// Both exit 1 on any problem.
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalize } from './verify-ledger.mjs';

/** Every rejection is one of these, so a caller (and a test) can tell "verified false" from a bug. */
export class TransparencyError extends Error {
  constructor(message) { super(message); this.name = 'TransparencyError'; }
}

const fail = (message) => { throw new TransparencyError(message); };
const sha256 = (...parts) => { const h = createHash('sha256'); for (const p of parts) h.update(p); return h.digest(); };
const isBytes = (value) => value instanceof Uint8Array; // Buffers are Uint8Arrays
const equalBytes = (a, b) => a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
const UINT64_MAX = (1n << 64n) - 1n;

/**
 * Standard base64 with padding (RFC 4648 §4), strictly: Buffer.from(…, 'base64') alone would skip invalid characters,
 * accept missing padding and the URL alphabet, so the text must also be exactly what re-encoding its bytes gives.
 */
export function decodeBase64(text, what, length) {
  if (typeof text !== 'string' || !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) {
    fail(`${what} is not standard padded base64`);
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) fail(`${what} is not canonical base64 (non-zero padding bits)`);
  if (length !== undefined && bytes.length !== length) fail(`${what} is ${bytes.length} bytes, expected ${length}`);
  return bytes;
}

// ---------------------------------------------------------------------------------------------------------------------
// The Merkle tree: RFC 9162 §2.1 (= RFC 6962 §2.1) hashing and proof verification.

/** Leaf hash: SHA-256(0x00 ‖ leaf bytes). */
export const leafHash = (bytes) => sha256(Buffer.from([0x00]), bytes);
/** Interior node: SHA-256(0x01 ‖ left ‖ right). */
export const nodeHash = (left, right) => sha256(Buffer.from([0x01]), left, right);

/** A tree size or index: a non-negative safe-integer Number or a BigInt, up to 2^64 − 1; returned as a BigInt. */
function toSize(value, what) {
  let n;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  else fail(`${what} must be an integer (a BigInt beyond 2^53), not ${typeof value === 'number' ? value : typeof value}`);
  if (n < 0n || n > UINT64_MAX) fail(`${what} ${n} is outside 0 … 2^64 − 1`);
  return n;
}

function checkHash(value, what) {
  if (!isBytes(value)) fail(`${what} must be bytes`);
  if (value.length !== 32) fail(`${what} is ${value.length} bytes, not a 32-byte SHA-256 hash`);
  return Buffer.from(value);
}

function checkProof(proof, what) {
  if (!Array.isArray(proof)) fail(`${what} must be an array of hashes`);
  return proof.map((p, i) => checkHash(p, `${what}[${i}]`));
}

const bitLength = (n) => (n === 0n ? 0 : n.toString(2).length);
const onesCount = (n) => [...n.toString(2)].filter((c) => c === '1').length;
const isOdd = (n) => (n & 1n) === 1n;

/**
 * The length an inclusion proof of leaf `index` in a tree of `size` must have: the hashes below the level where the
 * paths to `index` and to the last leaf part ("inner"), plus one per left sibling above it ("border").
 */
function inclusionProofLength(index, size) {
  const inner = bitLength(index ^ (size - 1n));
  return { inner, border: onesCount(index >> BigInt(inner)) };
}

/**
 * RFC 9162 §2.1.3.2: verifies that `leafHashBytes` is leaf `leafIndex` (0-based) of the tree of `treeSize` leaves
 * whose root is `root`. Returns true or throws a TransparencyError with the reason.
 */
export function verifyInclusion(leafIndex, treeSize, leafHashBytes, proof, root) {
  const index = toSize(leafIndex, 'leaf index');
  const size = toSize(treeSize, 'tree size');
  if (index >= size) fail(`leaf index ${index} is not below tree size ${size}`);
  let r = checkHash(leafHashBytes, 'leaf hash');
  const expectedRoot = checkHash(root, 'root hash');
  const path = checkProof(proof, 'inclusion proof');
  const { inner, border } = inclusionProofLength(index, size);
  if (path.length !== inner + border) {
    fail(`inclusion proof has ${path.length} hashes; leaf ${index} of a tree of ${size} needs ${inner + border}`);
  }

  // The RFC's algorithm, step by step. fn is the node's index on its level, sn the last node's index on that level.
  let fn = index; let sn = size - 1n;
  for (const p of path) {
    if (sn === 0n) fail('inclusion proof is longer than the path to the root');
    if (isOdd(fn) || fn === sn) {
      // p is a left sibling, or we are the last node of an incomplete level and p is the next level's left sibling.
      r = nodeHash(p, r);
      if (!isOdd(fn)) while (!isOdd(fn) && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  if (sn !== 0n) fail('inclusion proof is shorter than the path to the root');
  if (!r.equals(expectedRoot)) fail('inclusion proof does not lead to the root hash');
  return true;
}

/**
 * RFC 9162 §2.1.4.2: verifies that the tree of `size2` leaves with root `root2` extends the tree of `size1` leaves
 * with root `root1`. Returns true or throws a TransparencyError with the reason.
 *
 * The RFC defines proofs for 0 < size1 < size2. At the edges this follows the transparency-dev/merkle reference (whose
 * vectors ClaimLedger's tests use): size1 = size2 needs an empty proof and identical roots (compared as given, as
 * the reference does: nothing is hashed); size1 = 0 is rejected — "sizes with m = 0 have no proof".
 */
export function verifyConsistency(size1, size2, root1, root2, proof) {
  const m = toSize(size1, 'size1');
  const n = toSize(size2, 'size2');
  if (!Array.isArray(proof)) fail('consistency proof must be an array of hashes');
  if (m > n) fail(`size1 ${m} is larger than size2 ${n}: a log cannot shrink`);
  if (m === 0n) fail('a consistency proof from the empty tree is meaningless (size1 must be at least 1)');
  if (m === n) {
    if (!isBytes(root1) || !isBytes(root2)) fail('roots must be bytes');
    if (proof.length !== 0) fail(`sizes are equal (${m}) but the proof is not empty`);
    if (!equalBytes(root1, root2)) fail(`sizes are equal (${m}) but the roots differ`);
    return true;
  }
  const first = checkHash(root1, 'root1');
  const second = checkHash(root2, 'root2');
  const hashes = checkProof(proof, 'consistency proof');
  if (hashes.length === 0) fail('consistency proof is empty');

  // Expected length: the inclusion path of leaf m − 1 in the tree of n, minus the levels below the largest complete
  // subtree ending at m (its root is sent instead — or, when m is a power of two, is root1 itself and not sent).
  const shift = m.toString(2).length - m.toString(2).lastIndexOf('1') - 1; // trailing zero bits of m
  const { inner, border } = inclusionProofLength(m - 1n, n);
  const mIsPowerOfTwo = (m & (m - 1n)) === 0n;
  const expected = (mIsPowerOfTwo ? 0 : 1) + inner - shift + border;
  if (hashes.length !== expected) fail(`consistency proof has ${hashes.length} hashes; ${m} → ${n} needs ${expected}`);

  // The RFC's algorithm. Step 2: when size1 is a power of two, root1 is the first node of the path.
  const pathHashes = mIsPowerOfTwo ? [first, ...hashes] : hashes;
  let fn = m - 1n; let sn = n - 1n;
  while (isOdd(fn)) { fn >>= 1n; sn >>= 1n; } // step 4
  let fr = pathHashes[0]; let sr = pathHashes[0];
  for (const c of pathHashes.slice(1)) {
    if (sn === 0n) fail('consistency proof is longer than the path to the root');
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) while (!isOdd(fn) && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      sr = nodeHash(sr, c); // a node added after size1: only in the new tree
    }
    fn >>= 1n; sn >>= 1n;
  }
  if (sn !== 0n) fail('consistency proof is shorter than the path to the root');
  if (!fr.equals(first)) fail(`consistency proof does not reproduce root1 (the tree of ${m})`);
  if (!sr.equals(second)) fail(`consistency proof does not lead to root2 (the tree of ${n})`);
  return true;
}

// ---------------------------------------------------------------------------------------------------------------------
// Verifier keys, signed notes (C2SP signed-note) and checkpoints (C2SP tlog-checkpoint).

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const ALG_ED25519 = 0x01;
// Key names: non-empty, without Unicode spaces or '+' (C2SP signed-note; the '+' separates a verifier key's parts).
const isValidKeyName = (name) => typeof name === 'string' && name.length > 0 && !/[\s+]/u.test(name) && name.isWellFormed();

/** Key hash = the first 4 bytes of SHA-256(UTF-8(key name) ‖ 0x0A ‖ 0x01 ‖ 32-byte public key). */
export const keyHashOf = (name, publicKey) =>
  sha256(Buffer.from(name, 'utf8'), Buffer.from([0x0a, ALG_ED25519]), publicKey).subarray(0, 4);

/**
 * Parses `<key name>+<key hash, 8 lower-case hex digits>+<base64(0x01 ‖ 32-byte Ed25519 public key)>`.
 * Returns { name, keyHash (4 bytes), publicKey (32 bytes), keyObject (for crypto.verify) }.
 */
export function parseVerifierKey(text) {
  if (typeof text !== 'string') fail('verifier key must be a string');
  // The name cannot contain '+', but the base64 can: split at the first two '+' only.
  const plus1 = text.indexOf('+'); const plus2 = text.indexOf('+', plus1 + 1);
  if (plus1 < 0 || plus2 < 0) fail('verifier key must be <name>+<key hash>+<public key>');
  const name = text.slice(0, plus1); const hashHex = text.slice(plus1 + 1, plus2); const keyText = text.slice(plus2 + 1);
  if (!isValidKeyName(name)) fail(`verifier key name ${JSON.stringify(name)} is empty or contains a space or '+'`);
  if (!/^[0-9a-f]{8}$/.test(hashHex)) fail(`verifier key hash ${JSON.stringify(hashHex)} is not 8 lower-case hex digits`);
  const key = decodeBase64(keyText, 'verifier public key', 33);
  if (key[0] !== ALG_ED25519) fail(`verifier key algorithm 0x${key[0].toString(16).padStart(2, '0')} is not Ed25519 (0x01)`);
  const publicKey = key.subarray(1);
  const keyHash = Buffer.from(hashHex, 'hex');
  if (!keyHashOf(name, publicKey).equals(keyHash)) fail(`verifier key hash ${hashHex} does not match its name and public key`);
  let keyObject;
  try {
    keyObject = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
  } catch (error) {
    fail(`verifier public key is not an Ed25519 key: ${error.message}`);
  }
  return { name, keyHash, publicKey, keyObject };
}

const asVerifierKey = (key) => (typeof key === 'string' ? parseVerifierKey(key) : key);

/** Text or UTF-8 bytes → text; the bytes must be valid UTF-8 and the text well-formed (no lone surrogates). */
function asText(value, what) {
  if (isBytes(value)) {
    try { return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(value); } catch { fail(`${what} is not valid UTF-8`); }
  }
  if (typeof value !== 'string') fail(`${what} must be text`);
  if (!value.isWellFormed()) fail(`${what} contains a lone surrogate (not encodable as UTF-8)`);
  return value;
}

const MAX_SIGNATURES = 100;

/**
 * C2SP signed-note: verifies the note's signature lines by `verifierKey` (a string or parseVerifierKey's result) and
 * returns { text, signatures } — the signed text (ending in '\n') and how many lines of that key verified.
 * Lines of other keys (another name or another key hash) are ignored; every line of this key must verify, and at
 * least one must exist.
 */
export function verifySignedNote(note, verifierKey) {
  const key = asVerifierKey(verifierKey);
  const message = asText(note, 'signed note');
  // No control characters but newline (so no '\r': a CRLF note is malformed, not silently re-encoded).
  const control = message.match(/[\u0000-\u0009\u000b-\u001f]/);
  if (control) fail(`signed note contains control character U+${control[0].charCodeAt(0).toString(16).padStart(4, '0')}`);
  // The text ends at the LAST empty line (C2SP signed-note: the text itself may contain empty lines). For a
  // ClaimLedger checkpoint — three non-empty lines — this is also the first "\n\n", as docs/ledger-format.md says.
  const split = message.lastIndexOf('\n\n');
  if (split < 0) fail('signed note has no empty line between its text and its signatures');
  const text = message.slice(0, split + 1);
  const block = message.slice(split + 2);
  if (block.length === 0) fail('signed note has no signature lines');
  if (!block.endsWith('\n')) fail('signed note\'s last signature line does not end in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) fail(`signed note has more than ${MAX_SIGNATURES} signature lines`);

  let verified = 0; const others = [];
  for (const [i, line] of lines.entries()) {
    // "— <key name> <base64(key hash ‖ signature)>", the dash being U+2014 EM DASH.
    const match = /^\u2014 ([^ ]+) ([^ ]+)$/.exec(line);
    if (!match || !isValidKeyName(match[1])) fail(`signature line ${i + 1} is not "— <key name> <base64 signature>"`);
    const [, name, encoded] = match;
    const bytes = decodeBase64(encoded, `signature line ${i + 1}`);
    if (bytes.length < 5) fail(`signature line ${i + 1} is too short for a key hash and a signature`);
    const hash = bytes.subarray(0, 4);
    if (name !== key.name || !hash.equals(key.keyHash)) { others.push(`${name}+${hash.toString('hex')}`); continue; }
    const signature = bytes.subarray(4);
    if (signature.length !== 64) fail(`signature line ${i + 1} (${name}) holds ${signature.length} signature bytes, not 64`);
    if (!verifySignature(null, Buffer.from(text, 'utf8'), key.keyObject, signature)) {
      fail(`signature by ${key.name}+${key.keyHash.toString('hex')} does not verify over the note text`);
    }
    verified += 1;
  }
  if (verified === 0) {
    fail(`no signature by ${key.name}+${key.keyHash.toString('hex')}${others.length ? ` (only by ${others.join(', ')})` : ''}`);
  }
  return { text, signatures: verified };
}

/**
 * Verifies a checkpoint (docs/ledger-format.md, "Checkpoints"): the signed note, then exactly three lines — origin
 * (equal to the key name, or to options.origin when given), tree size (decimal, no sign, no leading zeros, ≥ 1) and
 * root hash (32 bytes of standard base64). Returns { origin, treeSize (a BigInt), rootHash (32 bytes) }.
 */
export function verifyCheckpoint(noteText, verifierKey, options = {}) {
  const key = asVerifierKey(verifierKey);
  const { text } = verifySignedNote(noteText, key);
  const lines = text.slice(0, -1).split('\n');
  // ClaimLedger adds no extension lines; a checkpoint with any is not one of its checkpoints.
  if (lines.length !== 3) fail(`checkpoint text has ${lines.length} lines, expected 3 (origin, tree size, root hash)`);
  const [origin, sizeText, rootText] = lines;
  const expectedOrigin = options.origin ?? key.name;
  if (origin !== expectedOrigin) fail(`checkpoint origin ${JSON.stringify(origin)} is not ${JSON.stringify(expectedOrigin)}`);
  if (!/^(?:0|[1-9][0-9]*)$/.test(sizeText)) fail(`checkpoint tree size ${JSON.stringify(sizeText)} is not a plain decimal`);
  const treeSize = BigInt(sizeText);
  if (treeSize > UINT64_MAX) fail(`checkpoint tree size ${sizeText} exceeds 2^64 − 1`);
  if (treeSize === 0n) fail('checkpoint tree size is 0 (checkpoints are made for sizes ≥ 1)');
  const rootHash = decodeBase64(rootText, 'checkpoint root hash', 32);
  return { origin, treeSize, rootHash };
}

// ---------------------------------------------------------------------------------------------------------------------
// Claim proof bundles.

export const BUNDLE_FORMAT = 'claimledger.claim-proof.v1';
const LEAF_MEMBERS = ['action', 'actor', 'changes', 'sequence', 'subject', 'time'];
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** An entry's sequence: a JSON number, or a decimal string (protobuf int64 as proto-loader's longs: String gives it). */
function entrySequence(value, what) {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
  if (typeof value === 'string' && /^[1-9][0-9]*$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
  if (typeof value === 'bigint' && value >= 1n && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
  return fail(`${what}: sequence ${JSON.stringify(String(value))} is not an integer from 1 to 2^53 − 1`);
}

/** A leaf: canonical JSON of exactly the six members of canonical_entry (docs/ledger-format.md, "Hashing"). */
function parseLeaf(leafText, what) {
  let entry;
  try { entry = JSON.parse(leafText); } catch (error) { fail(`${what}: leaf is not JSON (${error.message})`); }
  if (!isObject(entry)) fail(`${what}: leaf is not a JSON object`);
  const members = Object.keys(entry).sort();
  if (members.join() !== LEAF_MEMBERS.join()) fail(`${what}: leaf members are ${members.join(', ')}; expected ${LEAF_MEMBERS.join(', ')}`);
  for (const member of ['action', 'actor', 'subject', 'time']) {
    if (typeof entry[member] !== 'string' || entry[member] === '') fail(`${what}: leaf ${member} is not a non-empty string`);
  }
  if (!Number.isSafeInteger(entry.sequence) || entry.sequence < 1) fail(`${what}: leaf sequence is not a positive integer`);
  if (!TIME.test(entry.time)) fail(`${what}: leaf time ${JSON.stringify(entry.time)} is not YYYY-MM-DDTHH:MM:SS.ffffffZ`);
  if (!isObject(entry.changes)) fail(`${what}: leaf changes is not a JSON object`);
  // Re-canonicalising must give the very same text: this rejects other member orders, whitespace, escapes written
  // differently (\u0041, \/), numbers written differently (1.0, 1e2, -0), duplicate names (JSON.parse keeps the last).
  let canonical;
  try { canonical = canonicalize(entry); } catch (error) { fail(`${what}: leaf is not canonical JSON (${error.message})`); }
  if (canonical !== leafText) fail(`${what}: leaf is not canonical JSON (RFC 8785): re-canonicalised it differs`);
  return entry;
}

/** Sources cited by an entry about the claim: changes.source (evidence entries), changes.evidence[].source (claim entries). */
function citedSources(entry, claim) {
  const cited = [];
  if (entry.subject === claim && Array.isArray(entry.changes.evidence)) {
    for (const item of entry.changes.evidence) if (isObject(item) && typeof item.source === 'string') cited.push(item.source);
  } else if (entry.subject.startsWith(`${claim}/`) && typeof entry.changes.source === 'string') {
    cited.push(entry.changes.source);
  }
  // Only source names can make a source's entries part of the bundle (not, say, another claim's name).
  return cited.filter((s) => /^sources\/[^/]+$/.test(s));
}

/** A Checkpoint message's fields beside its (verified) note must say what the note says. */
function checkCheckpointFields(message, checkpoint) {
  const size = message.tree_size;
  if (size !== undefined && size !== null) {
    const text = String(size);
    if (!/^(?:0|[1-9][0-9]*)$/.test(text) || BigInt(text) !== checkpoint.treeSize) {
      fail(`checkpoint tree_size ${JSON.stringify(text)} is not the signed note's ${checkpoint.treeSize}`);
    }
  }
  const root = message.root_hash;
  if (root !== undefined && root !== null && !(isBytes(root) ? equalBytes(root, checkpoint.rootHash) : root === checkpoint.rootHash.toString('base64'))) {
    fail('checkpoint root_hash is not the signed note\'s root hash');
  }
  if (message.origin !== undefined && message.origin !== null && message.origin !== checkpoint.origin) {
    fail(`checkpoint origin ${JSON.stringify(message.origin)} is not the signed note's ${JSON.stringify(checkpoint.origin)}`);
  }
}

/**
 * Verifies a claim proof bundle (docs/ledger-format.md, "Claim proof bundles") — the CLI's JSON text (or Buffer), its
 * parsed object, or GetClaimProof's protobuf-shaped reply (sequence as a string, leaf as text or bytes, inclusion proof
 * hashes as base64 or bytes, no `format`, `checkpoint` a Checkpoint message whose `note` is verified) — against
 * `verifierKey`. options.claim: the claim the caller asked about (the bundle's `claim` must equal it).
 *
 * Returns the claim as of the checkpoint: { claim, checkpoint, state (its last claim entry's changes), lastChange,
 * evidence (last changes by evidence subject), sources (last changes by source subject), sourcesWithoutEntries (cited
 * sources the bundle has no entry about — e.g. registered by an import inside its claim entry), history (its claim and
 * evidence entries: sequence, subject, time, actor, action), entries (how many were verified) }.
 *
 * A bundle proves that each entry is in the log the checkpoint commits to; it cannot prove that none was left out.
 */
export function verifyClaimBundle(bundleInput, verifierKey, options = {}) {
  const fromText = typeof bundleInput === 'string' || isBytes(bundleInput);
  let bundle = bundleInput;
  if (fromText) {
    const json = asText(bundleInput, 'bundle');
    try { bundle = JSON.parse(json); } catch (error) { fail(`bundle is not JSON: ${error.message}`); }
  }
  if (!isObject(bundle)) fail('bundle is not an object');
  // The CLI's file names its format; a protobuf reply may leave it out (proto3: empty).
  if (!(bundle.format === BUNDLE_FORMAT || (!fromText && (bundle.format === undefined || bundle.format === '')))) {
    fail(`bundle format is ${JSON.stringify(bundle.format)}, expected ${JSON.stringify(BUNDLE_FORMAT)}`);
  }
  const claim = bundle.claim;
  if (typeof claim !== 'string' || !/^claims\/[^/]+$/.test(claim)) fail(`bundle claim ${JSON.stringify(claim)} is not a claim name, claims/{claim}`);
  if (options.claim !== undefined && claim !== options.claim) fail(`bundle is about ${claim}, not ${options.claim}`);
  if (!Array.isArray(bundle.entries)) fail('bundle entries is not an array');

  // 1. The checkpoint: the signed note. The bundle file holds its text; GetClaimProof's reply holds a Checkpoint message
  // (tree_size, root_hash, note, origin, create_time) whose note is what is verified — the fields beside it must agree.
  const message = !fromText && isObject(bundle.checkpoint) && !isBytes(bundle.checkpoint) ? bundle.checkpoint : undefined;
  const checkpoint = verifyCheckpoint(asText((message ? message.note : bundle.checkpoint) ?? '', 'checkpoint'), verifierKey);
  if (message) checkCheckpointFields(message, checkpoint);

  // 2. Each entry's leaf, sequence and inclusion proof; 3. strictly increasing sequences.
  const entries = []; let previous = 0;
  for (const [i, item] of bundle.entries.entries()) {
    const what = `entry ${i + 1}`;
    if (!isObject(item)) fail(`${what} is not an object`);
    const sequence = entrySequence(item.sequence, what);
    const where = `${what} (sequence ${sequence})`;
    if (sequence <= previous) fail(`${where}: sequences must strictly increase (after ${previous})`);
    previous = sequence;
    if (BigInt(sequence) > checkpoint.treeSize) fail(`${where}: beyond the checkpoint's tree size ${checkpoint.treeSize}`);
    const leafText = asText(item.leaf, `${where} leaf`);
    const entry = parseLeaf(leafText, where);
    if (entry.sequence !== sequence) fail(`${where}: leaf says sequence ${entry.sequence}`);
    if (!Array.isArray(item.inclusion_proof)) fail(`${where}: inclusion_proof is not an array`);
    const proof = item.inclusion_proof.map((h, j) => (isBytes(h) ? h : decodeBase64(h, `${where} inclusion_proof[${j}]`)));
    try {
      verifyInclusion(BigInt(sequence - 1), checkpoint.treeSize, leafHash(Buffer.from(leafText, 'utf8')), proof, checkpoint.rootHash);
    } catch (error) {
      if (error instanceof TransparencyError) fail(`${where}: ${error.message}`);
      throw error;
    }
    entries.push(entry);
  }

  // Membership: the claim, its evidence (claims/{id}/…), and the sources that evidence cites. Sources may be cited by
  // an entry later than their own, so collect the citations from the whole bundle first.
  const isClaimOrEvidence = (e) => e.subject === claim || e.subject.startsWith(`${claim}/`);
  const cited = new Set(entries.filter(isClaimOrEvidence).flatMap((e) => citedSources(e, claim)));
  for (const e of entries) {
    if (!isClaimOrEvidence(e) && !cited.has(e.subject)) {
      fail(`entry ${e.sequence}: subject ${e.subject} is neither ${claim}, its evidence, nor a source its evidence cites`);
    }
  }
  const claimEntries = entries.filter((e) => e.subject === claim);
  if (claimEntries.length === 0) fail(`bundle has no entry about ${claim} itself`);
  // The bundle holds every entry about the claim up to the checkpoint, so its first is the one that created it.
  if (!['claim.created', 'claim.imported'].includes(claimEntries[0].action)) {
    fail(`the first entry about ${claim} (${claimEntries[0].sequence}) is ${claimEntries[0].action}, not its creation`);
  }

  // The claim as of the checkpoint.
  const last = claimEntries.at(-1);
  const evidence = {}; const sources = {};
  for (const e of entries) {
    if (e.subject.startsWith(`${claim}/`)) evidence[e.subject] = e.changes;
    else if (e.subject !== claim) sources[e.subject] = e.changes;
  }
  return {
    claim,
    checkpoint,
    state: last.changes,
    lastChange: { sequence: last.sequence, time: last.time, actor: last.actor, action: last.action },
    evidence,
    sources,
    sourcesWithoutEntries: [...cited].filter((s) => !(s in sources)).sort(),
    history: entries.filter(isClaimOrEvidence)
      .map((e) => ({ sequence: e.sequence, subject: e.subject, time: e.time, actor: e.actor, action: e.action })),
    entries: entries.length,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Test vectors (tests/TestVectors/merkle, from transparency-dev/merkle): inclusion/N/*.json and consistency/N/*.json.

export const defaultVectorDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../tests/TestVectors/merkle');

const VECTOR_SHAPES = {
  inclusion: { leafIdx: 'size', treeSize: 'size', root: 'string', leafHash: 'string', proof: 'proof', desc: 'string', wantErr: 'boolean' },
  consistency: { size1: 'size', size2: 'size', root1: 'string', root2: 'string', proof: 'proof', desc: 'string', wantErr: 'boolean' },
};
const SIZE_MEMBER = /"(leafIdx|treeSize|size1|size2)"(\s*):(\s*)(\d+)/g;

/**
 * Every vector file under dir/inclusion and dir/consistency, decoded: [{ kind, file, desc, wantErr, args }]. Anything
 * else in those folders, or a file of another shape, is an error — never a silently skipped vector.
 */
export function loadVectors(dir = defaultVectorDirectory) {
  const vectors = [];
  for (const kind of Object.keys(VECTOR_SHAPES)) {
    const walk = (folder) => {
      for (const name of readdirSync(folder).sort()) {
        const file = path.join(folder, name);
        if (statSync(file).isDirectory()) { walk(file); continue; }
        const relative = path.relative(dir, file);
        if (!name.endsWith('.json')) throw new Error(`${relative}: not a vector file`);
        // Sizes are uint64 (some damaged vectors hold 2^64 − 1, which a JSON number would round): read them as text.
        const v = JSON.parse(readFileSync(file, 'utf8').replace(SIZE_MEMBER, '"$1"$2:$3"$4"'));
        const shape = VECTOR_SHAPES[kind];
        if (Object.keys(v).sort().join() !== Object.keys(shape).sort().join()) throw new Error(`${relative}: unexpected members`);
        for (const [member, type] of Object.entries(shape)) {
          const ok = type === 'proof' ? v[member] === null || (Array.isArray(v[member]) && v[member].every((h) => typeof h === 'string'))
            : type === 'size' ? typeof v[member] === 'string' && /^(?:0|[1-9][0-9]*)$/.test(v[member])
              : typeof v[member] === type;
          if (!ok) throw new Error(`${relative}: ${member} is not a ${type}`);
        }
        const b64 = (text) => decodeBase64(text, `${relative}: hash`); // the vectors' own base64 is always valid
        const proof = (v.proof ?? []).map(b64); // Go's nil slice: an empty proof
        const args = kind === 'inclusion'
          ? [BigInt(v.leafIdx), BigInt(v.treeSize), b64(v.leafHash), proof, b64(v.root)]
          : [BigInt(v.size1), BigInt(v.size2), b64(v.root1), b64(v.root2), proof];
        vectors.push({ kind, file: relative, desc: v.desc, wantErr: v.wantErr, args });
      }
    };
    walk(path.join(dir, kind));
  }
  return vectors;
}

/** Runs one vector: { accepted, reason }. A bug (anything but a TransparencyError) is thrown, not counted as a rejection. */
export function runVector({ kind, args }) {
  try {
    (kind === 'inclusion' ? verifyInclusion : verifyConsistency)(...args);
    return { accepted: true };
  } catch (error) {
    if (!(error instanceof TransparencyError)) throw error;
    return { accepted: false, reason: error.message };
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Command line.

const jsonText = (value) => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString()
  : v?.type === 'Buffer' && Array.isArray(v.data) ? Buffer.from(v.data).toString('base64') : v), 2);

function main([command, ...args]) {
  if (command === 'verify-bundle' && (args.length === 2 || args.length === 3)) {
    const [file, key, claim] = args;
    try {
      const result = verifyClaimBundle(readFileSync(file), key.trim(), claim ? { claim } : {});
      console.log(jsonText(result));
      console.error(`verified: ${result.entries} entries about ${result.claim} are in the log of ${result.checkpoint.origin} `
        + `at tree size ${result.checkpoint.treeSize} (a bundle cannot prove that no entry was left out)`);
      return 0;
    } catch (error) {
      console.error(`NOT VERIFIED: ${error.message}`);
      return 1;
    }
  }
  if (command === 'vectors' && args.length <= 1) {
    const vectors = loadVectors(args[0] ?? defaultVectorDirectory);
    let wrong = 0; const counts = {};
    for (const v of vectors) {
      const { accepted, reason } = runVector(v);
      const c = (counts[v.kind] ??= { valid: 0, damaged: 0 });
      c[v.wantErr ? 'damaged' : 'valid'] += 1;
      if (accepted === v.wantErr) { wrong += 1; console.log(`WRONG ${v.file} (${v.desc}): ${accepted ? 'accepted' : `rejected: ${reason}`}`); }
    }
    for (const [kind, c] of Object.entries(counts)) console.log(`${kind}: ${c.valid} valid, ${c.damaged} damaged`);
    console.log(wrong === 0 ? `all ${vectors.length} vectors: valid accepted, damaged rejected` : `${wrong} of ${vectors.length} vectors WRONG`);
    return wrong === 0 ? 0 : 1;
  }
  console.error('usage: node transparency.mjs verify-bundle bundle.json \'<verifier key>\' [claims/…]\n'
    + '       node transparency.mjs vectors [dir]');
  return 2;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = main(process.argv.slice(2));
}
