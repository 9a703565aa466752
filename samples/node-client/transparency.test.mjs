// Tests of transparency.mjs, offline: RFC 6962/9162 proof vectors, signed-note known answers from public sources,
// checkpoints signed here with fresh Ed25519 keys, and claim proof bundles over a small log built here.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalize } from './verify-ledger.mjs';
import {
  BUNDLE_FORMAT, TransparencyError, defaultVectorDirectory, keyHashOf, leafHash, loadVectors, nodeHash, parseVerifierKey,
  runVector, verifyCheckpoint, verifyClaimBundle, verifyConsistency, verifyInclusion, verifySignedNote,
} from './transparency.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const rejects = (fn, pattern) => assert.throws(fn, (error) => {
  assert.ok(error instanceof TransparencyError, `expected a TransparencyError, got ${error?.stack ?? error}`);
  if (pattern) assert.match(error.message, pattern);
  return true;
});
const b64 = (bytes) => Buffer.from(bytes).toString('base64');

// ---------------------------------------------------------------------------------------------------------------------
// A reference Merkle tree built straight from RFC 9162 §2.1.1 (MTH), §2.1.3.1 (PATH) and §2.1.4.1 (PROOF/SUBPROOF),
// over leaf hashes. Recursive and slow, which is fine for test sizes, and independent of the verifier's bit tricks.
const largestPowerOfTwoBelow = (n) => { let k = 1; while (k * 2 < n) k *= 2; return k; };
function mth(hashes) {
  if (hashes.length === 0) return createHash('sha256').digest(); // the empty tree: SHA-256("")
  if (hashes.length === 1) return hashes[0];
  const k = largestPowerOfTwoBelow(hashes.length);
  return nodeHash(mth(hashes.slice(0, k)), mth(hashes.slice(k)));
}
function auditPath(m, hashes) {
  if (hashes.length <= 1) return [];
  const k = largestPowerOfTwoBelow(hashes.length);
  return m < k ? [...auditPath(m, hashes.slice(0, k)), mth(hashes.slice(k))]
    : [...auditPath(m - k, hashes.slice(k)), mth(hashes.slice(0, k))];
}
function subproof(m, hashes, complete) {
  const n = hashes.length;
  if (m === n) return complete ? [] : [mth(hashes)];
  const k = largestPowerOfTwoBelow(n);
  return m <= k ? [...subproof(m, hashes.slice(0, k), complete), mth(hashes.slice(k))]
    : [...subproof(m - k, hashes.slice(k), false), mth(hashes.slice(0, k))];
}
const consistencyProof = (m, hashes) => subproof(m, hashes, true);

// ---------------------------------------------------------------------------------------------------------------------
describe('RFC 6962/9162 proof vectors (tests/TestVectors/merkle, from transparency-dev/merkle)', () => {
  const vectors = loadVectors();

  // Count the files on disk independently of loadVectors, so that no vector file can be skipped silently.
  const jsonFiles = (dir) => readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? jsonFiles(file) : name.endsWith('.json') ? [file] : [];
  });
  test('every vector file is run: 98 inclusion and 98 consistency vectors, 6 valid of each', () => {
    const onDisk = jsonFiles(defaultVectorDirectory);
    assert.equal(vectors.length, onDisk.length);
    assert.deepEqual(vectors.map((v) => path.join(defaultVectorDirectory, v.file)).sort(), onDisk.sort());
    // The numbers the folders hold today (a vector removed or added without updating this is noticed).
    const count = (kind, wantErr) => vectors.filter((v) => v.kind === kind && v.wantErr === wantErr).length;
    assert.deepEqual([count('inclusion', false), count('inclusion', true), count('consistency', false), count('consistency', true)],
      [6, 92, 6, 92]);
  });

  for (const v of vectors) {
    test(`${v.file}: ${v.wantErr ? 'rejected' : 'accepted'} (${v.desc})`, () => {
      const { accepted, reason } = runVector(v);
      assert.equal(accepted, !v.wantErr, reason);
    });
  }

  test('the vectors\' roots are the MTH of the Certificate Transparency test leaves (their README)', () => {
    const leaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f']
      .map((hex) => leafHash(Buffer.from(hex, 'hex')));
    const roots = new Map();
    const happy = vectors.filter((x) => /^(inclusion|consistency)\/\d+\/happy-path\.json$/.test(x.file));
    assert.equal(happy.length, 10);
    for (const v of happy.filter((x) => x.kind === 'inclusion')) roots.set(Number(v.args[1]), v.args[4]);
    for (const v of happy.filter((x) => x.kind === 'consistency')) {
      roots.set(Number(v.args[0]), v.args[2]); roots.set(Number(v.args[1]), v.args[3]);
    }
    assert.ok(roots.size >= 4);
    for (const [size, root] of roots) assert.equal(b64(mth(leaves.slice(0, size))), b64(root), `root of size ${size}`);
    // RFC 6962's reference root of all eight leaves.
    assert.equal(mth(leaves).toString('hex'), '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
  });

  test('the CLI runs them: node transparency.mjs vectors', () => {
    const run = spawnSync(process.execPath, ['transparency.mjs', 'vectors'], { cwd: here, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /all 196 vectors: valid accepted, damaged rejected/);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
describe('Merkle proofs against a reference tree', () => {
  const leaves = Array.from({ length: 40 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));

  test('every inclusion proof in trees of 1 … 40 leaves verifies, and fails for another index or leaf, or when damaged', () => {
    for (let n = 1; n <= 40; n++) {
      const tree = leaves.slice(0, n); const root = mth(tree);
      for (let i = 0; i < n; i++) {
        const proof = auditPath(i, tree);
        assert.equal(verifyInclusion(i, n, tree[i], proof, root), true);
        if (n > 1) rejects(() => verifyInclusion((i + 1) % n, n, tree[i], proof, root));
        // (Not "any other size": the same hashes can form a valid path of leaf i in a tree of another size — e.g. leaf
        // 0 of 6 and of 7 — and a root commits to its size only through the signed checkpoint that states both.)
        rejects(() => verifyInclusion(i, n, leaves[(i + 1) % 40], proof, root));
        rejects(() => verifyInclusion(i, n, tree[i], [...proof, root], root), /hashes/);
        if (proof.length) rejects(() => verifyInclusion(i, n, tree[i], proof.slice(1), root), /hashes/);
        proof.forEach((_, j) => {
          const damaged = proof.map((h) => Buffer.from(h)); damaged[j][j % 32] ^= 0x01;
          rejects(() => verifyInclusion(i, n, tree[i], damaged, root), /root/);
        });
      }
    }
  });

  test('every consistency proof between sizes 1 ≤ m ≤ n ≤ 40 verifies, and fails when damaged', () => {
    for (let n = 1; n <= 40; n++) {
      const root2 = mth(leaves.slice(0, n));
      for (let m = 1; m <= n; m++) {
        const root1 = mth(leaves.slice(0, m)); const proof = consistencyProof(m, leaves.slice(0, n));
        assert.equal(verifyConsistency(m, n, root1, root2, proof), true, `${m} → ${n}`);
        if (m === n) continue;
        rejects(() => verifyConsistency(m, n, root2, root1, proof));
        rejects(() => verifyConsistency(m, n, mth(leaves.slice(1, m + 1)), root2, proof), /root/); // another old tree
        rejects(() => verifyConsistency(m, n, root1, root2, proof.slice(0, -1)));
        rejects(() => verifyConsistency(m, n, root1, root2, [...proof, root1]));
        proof.forEach((_, j) => {
          const damaged = proof.map((h) => Buffer.from(h)); damaged[j][31 - (j % 32)] ^= 0x80;
          rejects(() => verifyConsistency(m, n, root1, root2, damaged), /root/);
        });
      }
    }
  });

  test('sizes beyond 2^32 and 2^53 are computed exactly (BigInt)', () => {
    const h = (s) => leafHash(Buffer.from(s));
    for (const k of [33n, 40n, 60n, 63n]) {
      const complete = 1n << k; // a tree of 2^k + 1 leaves: a complete subtree of 2^k, then one more leaf
      const [x, last] = [h(`subtree ${k}`), h(`last ${k}`)];
      const root = nodeHash(x, last);
      // The last leaf: its proof is the root of the complete subtree.
      assert.equal(verifyInclusion(complete, complete + 1n, last, [x], root), true);
      rejects(() => verifyInclusion(complete - 1n, complete + 1n, last, [x], root));
      rejects(() => verifyInclusion(complete, complete + 2n, last, [x], root));
      // The first leaf: k siblings up its complete subtree, then the last leaf.
      const siblings = Array.from({ length: Number(k) }, (_, i) => h(`sibling ${i}`));
      const subtree = siblings.reduce((r, s) => nodeHash(r, s), h('first'));
      assert.equal(verifyInclusion(0n, complete + 1n, h('first'), [...siblings, last], nodeHash(subtree, last)), true);
      rejects(() => verifyInclusion(0n, complete, h('first'), [...siblings, last], nodeHash(subtree, last)));
      // Consistency from the complete subtree to one more leaf.
      assert.equal(verifyConsistency(complete, complete + 1n, x, root, [last]), true);
      rejects(() => verifyConsistency(complete - 1n, complete + 1n, x, root, [last]));
    }
    // The largest tree: 2^64 − 1 leaves; its last leaf has 63 left siblings on the border.
    const max = (1n << 64n) - 1n;
    const border = Array.from({ length: 63 }, (_, i) => h(`border ${i}`));
    const top = border.reduce((r, s) => nodeHash(s, r), h('last'));
    assert.equal(verifyInclusion(max - 1n, max, h('last'), border, top), true);
    rejects(() => verifyInclusion(max, max, h('last'), border, top), /not below/);
    rejects(() => verifyInclusion(0n, max + 1n, h('last'), border, top), /2\^64/);
  });

  test('malformed input is rejected with a reason', () => {
    const tree = leaves.slice(0, 5); const root = mth(tree); const proof = auditPath(2, tree);
    rejects(() => verifyInclusion(5, 5, tree[2], proof, root), /not below/);
    rejects(() => verifyInclusion(0, 0, tree[0], [], mth([])), /not below/);
    rejects(() => verifyInclusion(-1, 5, tree[2], proof, root), /outside/);
    rejects(() => verifyInclusion(2.5, 5, tree[2], proof, root), /integer/);
    rejects(() => verifyInclusion(2, 2 ** 53, tree[2], proof, root), /integer/);
    rejects(() => verifyInclusion('2', 5, tree[2], proof, root), /integer/);
    rejects(() => verifyInclusion(2, 5, tree[2].subarray(1), proof, root), /leaf hash is 31 bytes/);
    rejects(() => verifyInclusion(2, 5, tree[2], proof, Buffer.concat([root, Buffer.alloc(1)])), /root hash is 33 bytes/);
    rejects(() => verifyInclusion(2, 5, tree[2], proof.map((p) => p.toString('base64')), root), /must be bytes/);
    rejects(() => verifyInclusion(2, 5, tree[2], null, root), /array/);
    rejects(() => verifyInclusion(2, 5, tree[2], [...proof.slice(0, -1), Buffer.alloc(0)], root), /0 bytes/);

    const r3 = mth(leaves.slice(0, 3)); const r7 = mth(leaves.slice(0, 7)); const p = consistencyProof(3, leaves.slice(0, 7));
    rejects(() => verifyConsistency(7, 3, r7, r3, p), /larger/);
    rejects(() => verifyConsistency(0, 7, mth([]), r7, []), /empty tree/);
    rejects(() => verifyConsistency(0, 0, mth([]), mth([]), []), /empty tree/);
    rejects(() => verifyConsistency(3, 3, r3, r3, p), /not empty/);
    rejects(() => verifyConsistency(3, 3, r3, r7, []), /roots differ/);
    rejects(() => verifyConsistency(3, 7, r3, r7, []), /hashes|empty/);
    rejects(() => verifyConsistency(3, 7, r3.subarray(0, 16), r7, p), /root1 is 16 bytes/);
    rejects(() => verifyConsistency(3, 7, r3, r7, 'proof'), /array/);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Signed notes: known answers from public sources.
//
// golang/mod, sumdb/note/note_test.go (golang.org/x/mod/sumdb/note, BSD-style licence): the PeterNeumann and EnochRoot
// keys, PeterNeumann's private key, and their signatures of the note below.
const peterKey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const peterPrivate = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const enochKey = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const goText = 'If you think cryptography is the answer to your problem,\nthen you don\'t know what your problem is.\n';
const peterSig = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const enochSig = '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';
// google/trillian-examples, formats/log/checkpoint_test.go (Apache-2.0): a tree head signed by sum.golang.org, and
// signatures of it by three test keys; the sum.golang.org key as in golang/go, src/cmd/go/internal/modfetch/key.go.
const sumKey = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';
const sumNote = 'go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n'
  + '— sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=\n';
const witnesses = {
  'monkeys+db4d9f7e+AULaJMvTtDLHPUcUrjdDad9vDlh/PTfC2VV60JUtCfWT':
    '— monkeys 202ffh9ve46Mqbhuyb4wnC2Pwdan5EsXQym/tF1ggXJqhjGosU4T5intH4iKMRgDLxrnXuIjRaU2NbvAnaepM6Y+8ww=\n',
  'bananas+cf639f13+AaPjhFnPCQnid/Ql32KWhmh+uk72FVRfK+2DLmO3BI3M':
    '— bananas z2OfE+2bbsBZ7NLgfuslc0v7NFW2QyexJ7fhePpoL2N/P7N/COd5S+JNHbQEAlYzz2C5sg0E+x/MggS1mDR6t3/9rQw=\n',
  'witness+f13a86db+AdYV1Ztajd9BvyjP2HgpwrqYL6TjOwIjGMOq8Bu42xbN':
    '— witness 8TqG25yWGFLdT7WPf/WoyeG3LwqtkXP+8S3yykOVm6EMh4hPgCke6eSVPU4BdtXNMPJBXKF+UpDbGgCdcpR8SVSoqAU=\n',
};
const logPrivate = 'PRIVATE+KEY+Log+2271c621+AdEIq9FLRQni54Wg68T96VJO+iayOaulswav2DUMKgvQ';
const logKey = 'Log+2271c621+AemuH5ooBpEPcr+W8onrjA1NfuzBVHdezakU81Ekarvs';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** A Go note private key, PRIVATE+KEY+<name>+<hash>+base64(0x01 ‖ 32-byte seed), as a node:crypto key. */
function goPrivateKey(text) {
  assert.ok(text.startsWith('PRIVATE+KEY+'));
  const [name, hash, ...rest] = text.slice('PRIVATE+KEY+'.length).split('+'); const encoded = rest.join('+'); // base64 may hold '+'
  const bytes = Buffer.from(encoded, 'base64');
  assert.equal(bytes[0], 0x01);
  return { name, keyHash: Buffer.from(hash, 'hex'), privateKey: createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, bytes.subarray(1)]), format: 'der', type: 'pkcs8' }) };
}
const rawPublicKey = (keyObject) => (keyObject.type === 'public' ? keyObject : createPublicKey(keyObject))
  .export({ format: 'der', type: 'spki' }).subarray(12); // the 32 key bytes follow the 12-byte SPKI prefix
/** Signs note text as docs/ledger-format.md says: text, an empty line, one "— name base64(key hash ‖ signature)" per signer. */
const signNote = (text, ...signers) => `${text}\n${signers.map((s) =>
  `— ${s.name} ${b64(Buffer.concat([s.keyHash, sign(null, Buffer.from(text, 'utf8'), s.privateKey)]))}\n`).join('')}`;

describe('signed notes: known answers (golang.org/x/mod/sumdb/note, trillian-examples, sum.golang.org)', () => {
  test('verifier keys parse, and their key hashes are recomputed from name and public key', () => {
    for (const [key, hash] of [[peterKey, 'c74f20a3'], [enochKey, 'af0cfe78'], [sumKey, '033de0ae'], [logKey, '2271c621'], ...Object.keys(witnesses).map((k) => [k, k.split('+')[1]])]) {
      const parsed = parseVerifierKey(key);
      assert.equal(parsed.keyHash.toString('hex'), hash);
      assert.equal(keyHashOf(parsed.name, parsed.publicKey).toString('hex'), hash);
      assert.equal(parsed.publicKey.length, 32);
    }
  });

  test('every mangling of the PeterNeumann key is rejected (as in TestNewVerifier)', () => {
    const bytes = Buffer.from(peterKey); let tried = 0;
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i + 1; j <= bytes.length; j++) {
        if (i !== 0 || j !== bytes.length) { rejects(() => parseVerifierKey(bytes.subarray(i, j).toString())); tried += 1; }
      }
    }
    for (let i = 0; i < bytes.length; i++) {
      const mangled = Buffer.from(bytes); mangled[i] += 1;
      rejects(() => parseVerifierKey(mangled.toString())); tried += 1;
    }
    assert.equal(tried, (bytes.length * (bytes.length + 1)) / 2 - 1 + bytes.length);
    rejects(() => parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='), /base64|33/); // wrong length, adjusted hash
    rejects(() => parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'), /algorithm/); // unknown algorithm, adjusted hash
    rejects(() => parseVerifierKey('PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'), /lower-case/);
  });

  test('the published private keys give the published public keys, and PeterNeumann\'s signature exactly (Ed25519 is deterministic)', () => {
    for (const [secret, key] of [[peterPrivate, peterKey], [logPrivate, logKey]]) {
      const signer = goPrivateKey(secret);
      assert.deepEqual(rawPublicKey(signer.privateKey), parseVerifierKey(key).publicKey);
    }
    assert.equal(signNote(goText, goPrivateKey(peterPrivate)), `${goText}\n${peterSig}`); // TestSign's want
  });

  test('a note signed by two keys verifies with either, the other\'s line ignored (TestOpen)', () => {
    const note = `${goText}\n${peterSig}${enochSig}`;
    assert.deepEqual(verifySignedNote(note, peterKey), { text: goText, signatures: 1 });
    assert.deepEqual(verifySignedNote(note, enochKey), { text: goText, signatures: 1 });
    assert.deepEqual(verifySignedNote(Buffer.from(note, 'utf8'), parseVerifierKey(peterKey)), { text: goText, signatures: 1 });
    // Duplicated lines of the key verify; a damaged line of another key is ignored …
    const enochABCD = `${enochSig.slice(0, 60)}ABCD${enochSig.slice(60)}`;
    assert.equal(verifySignedNote(`${goText}\n${peterSig}${peterSig}${enochSig}${enochSig}${enochABCD}`, peterKey).signatures, 2);
    // … but a damaged line of the key itself rejects the note.
    rejects(() => verifySignedNote(`${goText}\n${peterSig}${enochSig}${enochABCD}`, enochKey), /signature/);
    rejects(() => verifySignedNote(`${goText}\n${peterSig.slice(0, 60)}ABCD${peterSig.slice(60)}`, peterKey), /signature/);
    // Not a checkpoint, though: two lines, and its first is not the key name.
    rejects(() => verifyCheckpoint(note, peterKey), /2 lines/);
  });

  test('malformed notes and other keys\' signatures are rejected (TestOpen)', () => {
    const bad = [
      [goText, /empty line/],
      [`${goText}\n`, /no signature lines/],
      [`${goText}\n${peterSig.slice(0, -1)}`, /newline/],
      [`\x01${goText}\n${peterSig}`, /control character/],
      [Buffer.concat([Buffer.from([0xff]), Buffer.from(`${goText}\n${peterSig}`)]), /UTF-8/],
      [`${goText}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`, /signature line 1/],
      [`${goText}\n${peterSig}Unexpected line.\n`, /signature line 2/],
      [`${goText}\n${peterSig.repeat(101)}`, /more than 100/],
      [`${goText}\n${peterSig.replace('PeterNeumann', 'CarmenSandiego')}`, /no signature by PeterNeumann\+c74f20a3 \(only by CarmenSandiego/],
      [`${goText}\n${peterSig.replace('x08g', 'xxxx')}`, /no signature by/],
      [`${goText}\n${enochSig}`, /no signature by/],
      [`${goText}\n${peterSig.replace('— ', '- ')}`, /signature line 1/],
      [`${goText}\n${peterSig.replace('=\n', '\n')}`, /base64/],
      [`${goText.replaceAll('\n', '\r\n')}\n${peterSig}`, /control character U\+000d/],
    ];
    for (const [note, pattern] of bad) rejects(() => verifySignedNote(note, peterKey), pattern);
  });

  test('a tree head of sum.golang.org verifies as a checkpoint of origin "go.sum database tree"', () => {
    const checkpoint = verifyCheckpoint(sumNote, sumKey, { origin: 'go.sum database tree' });
    assert.equal(checkpoint.treeSize, 6476701n);
    assert.equal(b64(checkpoint.rootHash), 'mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=');
    // ClaimLedger's rule — the origin is the key name — rejects it; so does another expected origin.
    rejects(() => verifyCheckpoint(sumNote, sumKey), /origin "go.sum database tree" is not "sum.golang.org"/);
    rejects(() => verifyCheckpoint(sumNote, sumKey, { origin: 'Go rocks but I might have the wrong ID' }), /origin/);
    rejects(() => verifyCheckpoint(sumNote.replace('6476701', '6476702'), sumKey, { origin: 'go.sum database tree' }), /does not verify/);
    // Cosigned by three more keys, plus two lines under unknown names: each key finds and verifies its own line.
    const cosigned = sumNote + Object.values(witnesses).join('')
      + witnesses['witness+f13a86db+AdYV1Ztajd9BvyjP2HgpwrqYL6TjOwIjGMOq8Bu42xbN'].replace('witness', 'random1');
    for (const key of [sumKey, ...Object.keys(witnesses)]) {
      assert.equal(verifyCheckpoint(cosigned, key, { origin: 'go.sum database tree' }).treeSize, 6476701n, key);
    }
    rejects(() => verifyCheckpoint(sumNote, Object.keys(witnesses)[0], { origin: 'go.sum database tree' }), /no signature by monkeys/);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Checkpoints signed here, as docs/ledger-format.md describes them.

/** A fresh log key: its name is the origin, claimledger.local/<8 hex digits> (here: of SHA-256 of the public key). */
function newLogKey(name) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  name ??= `claimledger.local/${leafHash(raw).subarray(0, 4).toString('hex')}`;
  const keyHash = keyHashOf(name, raw);
  return { name, keyHash, privateKey, verifierKey: `${name}+${keyHash.toString('hex')}+${b64(Buffer.concat([Buffer.from([1]), raw]))}` };
}
/** Base64 of `bytes` with a padding bit set: decoders that ignore padding bits read the same bytes. */
function nonCanonicalBase64(bytes) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const text = b64(bytes); const last = text.replace(/=+$/, '').length - 1;
  assert.ok(last < text.length - 1, 'needs padding');
  const changed = `${text.slice(0, last)}${alphabet[alphabet.indexOf(text[last]) | 1]}${text.slice(last + 1)}`;
  assert.deepEqual(Buffer.from(changed, 'base64'), Buffer.from(bytes));
  return changed;
}
const checkpointText = (origin, size, root) => `${origin}\n${size}\n${typeof root === 'string' ? root : b64(root)}\n`;

describe('checkpoints signed with generated keys', () => {
  const key = newLogKey();
  const other = newLogKey();
  const root = Buffer.from('fbff'.repeat(16), 'hex'); // any 32 bytes; these have '+' and '/' in base64
  const good = signNote(checkpointText(key.name, 12, root), key);

  test('a checkpoint verifies: origin, tree size, root', () => {
    assert.match(key.name, /^claimledger\.local\/[0-9a-f]{8}$/);
    assert.deepEqual(verifyCheckpoint(good, key.verifierKey), { origin: key.name, treeSize: 12n, rootHash: root });
    // Other keys' lines, before and after, are ignored (a witness cosignature, a rotated key).
    assert.equal(verifyCheckpoint(signNote(checkpointText(key.name, 12, root), other, key, newLogKey(key.name)), key.verifierKey).treeSize, 12n);
    const big = '18446744073709551615';
    assert.equal(verifyCheckpoint(signNote(checkpointText(key.name, big, root), key), key.verifierKey).treeSize, BigInt(big));
  });

  test('tampering is rejected: text, size, root, signature, key name, key hash', () => {
    // Flips one bit of byte `at` of the (only) signature line's key hash ‖ signature.
    const flipSignatureByte = (note, at) => {
      const [text, line] = note.split('\n\n');
      const [dash, name, encoded] = line.trimEnd().split(' ');
      const bytes = Buffer.from(encoded, 'base64'); bytes[at] ^= 0x01;
      return `${text}\n\n${dash} ${name} ${b64(bytes)}\n`;
    };
    const tampered = [
      [good.replace(key.name, `${key.name}x`), /does not verify/], // the origin line (the signature line keeps the name)
      [good.replace('\n12\n', '\n13\n'), /does not verify/],
      [good.replace(b64(root), b64(leafHash(Buffer.from('another root')))), /does not verify/],
      [flipSignatureByte(good, 4 + 40), /does not verify/], // a bit of the Ed25519 signature
      [good.replace(`— ${key.name} `, `— ${other.name} `), /no signature by/], // another key's name
      [flipSignatureByte(good, 0), /no signature by/], // a bit of the key hash
      [signNote(checkpointText(key.name, 12, root), other), /no signature by/], // signed by another key
      [signNote(checkpointText(key.name, 12, root), { ...other, name: key.name, keyHash: key.keyHash }), /does not verify/], // another key posing as it
      [good.replace('\n\n', '\n'), /empty line/],
      [`${good}extra\n`, /signature line 2/],
      [good.slice(0, -1), /newline/],
    ];
    for (const [note, pattern] of tampered) rejects(() => verifyCheckpoint(note, key.verifierKey), pattern);
  });

  test('properly signed notes that are not ClaimLedger checkpoints are rejected', () => {
    assert.match(b64(root), /\+.*\//);
    const cases = [
      [checkpointText(other.name, 12, root), /origin/], // origin is not the key name
      [checkpointText('', 12, root), /origin/],
      [`${checkpointText(key.name, 12, root)}extension\n`, /4 lines/],
      [`${key.name}\n12\n`, /2 lines/],
      ...['012', '+12', '-1', ' 12', '12 ', '1e3', '0x0c', '１２', '', '18446744073709551616'].map((size) => [checkpointText(key.name, size, root), /tree size/]),
      [checkpointText(key.name, 0, root), /tree size is 0/],
      [checkpointText(key.name, 12, root.subarray(1)), /31 bytes/],
      [checkpointText(key.name, 12, Buffer.concat([root, Buffer.alloc(1)])), /33 bytes/],
      [checkpointText(key.name, 12, b64(root).replace('=', '')), /base64/],
      [checkpointText(key.name, 12, b64(root).replaceAll('+', '-').replaceAll('/', '_')), /base64/],
      [checkpointText(key.name, 12, ` ${b64(root)}`), /base64/],
      [checkpointText(key.name, 12, nonCanonicalBase64(root)), /non-zero padding bits/],
    ];
    for (const [text, pattern] of cases) rejects(() => verifyCheckpoint(signNote(text, key), key.verifierKey), pattern);
  });

  test('verifier keys that do not describe a usable Ed25519 key are rejected', () => {
    const [name, hash, encoded] = [key.name, key.keyHash.toString('hex'), key.verifierKey.split('+').slice(2).join('+')];
    rejects(() => parseVerifierKey(`${name}+${hash}`), /name>\+<key hash>\+<public key/);
    rejects(() => parseVerifierKey(`${name}+${hash}+${encoded}`.replace(name, `${name}+x`)), /key hash/);
    rejects(() => parseVerifierKey(`+${hash}+${encoded}`), /name/);
    rejects(() => parseVerifierKey(`a b+${hash}+${encoded}`), /name/);
    rejects(() => parseVerifierKey(`${name}+${hash}+${encoded.slice(0, -4)}`), /bytes|base64/);
    rejects(() => parseVerifierKey(`${name}+${hash}+${encoded} `), /base64/);
    rejects(() => parseVerifierKey(`${name.toUpperCase()}+${hash}+${encoded}`), /does not match/);
    rejects(() => parseVerifierKey(42), /string/);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Claim proof bundles over a small log built here.

const time = (s) => `2026-11-25T00:50:${String(s).padStart(2, '0')}.123456Z`;
const claimState = (over) => ({
  text: 'Iran supplied “Shahed” drones to Russia — café 🚁\u0001\ttab', claimant: 'A. Spokesperson', claim_time: '2025-10-01T00:00:00.000000Z',
  language_code: 'en', topics: ['conflict', 'drones'], review_interval_seconds: 2592000, status: 'UNVERIFIED', verdict: null, retraction: null,
  ...over,
});
const verdict = { name: 'claims/c1/verdicts/v1', rating: 'FALSE', score: '0.25', rationale: 'The cited report says the opposite.', reviewer: 'reviewer', evidence: ['claims/c1/evidence/e2'] };
const source = (url, reliability = 'HIGH') => ({ url, canonical_url: url, title: `Report at ${url}`, publisher: 'Example News', author: null, kind: 'NEWS_ARTICLE',
  publish_time: null, retrieve_time: time(0), content_sha256: 'ab'.repeat(32), archive_url: '', reliability });
const evidenceState = (src, removed) => ({ source: src, stance: 'REFUTES', excerpt: 'no such deliveries', locator: 'p. 2', credibility: null, source_content_sha256: '', removed });

// [actor, action, subject, changes]; entry n is at index n − 1.
const LOG = [
  ['system:bootstrap', 'api_key.created', 'apiKeys/k1', { display_name: 'admin', role: 'ADMIN', key_prefix: 'cl_01a2' }], // 1
  ['admin', 'source.created', 'sources/s1', source('https://news.example.org/1')], // 2
  ['admin', 'source.created', 'sources/s2', source('https://news.example.org/2')], // 3 (cited by nothing of c1)
  ['admin', 'source.created', 'sources/s3', source('https://news.example.org/3')], // 4
  ['admin', 'claim.created', 'claims/c1', { ...claimState(), evidence: [{ source: 'sources/s1', stance: 'REFUTES', excerpt: 'x', locator: '' }] }], // 5
  ['admin', 'claim.created', 'claims/c2', { ...claimState({ text: 'another claim' }), evidence: [{ source: 'sources/s2', stance: 'SUPPORTS', excerpt: 'y', locator: '' }] }], // 6
  ['reviewer', 'evidence.added', 'claims/c1/evidence/e2', evidenceState('sources/s3', false)], // 7
  ['reviewer', 'claim.review_started', 'claims/c1', { ...claimState({ status: 'IN_REVIEW' }), note: 'looking' }], // 8
  ['admin', 'source.updated', 'sources/s1', source('https://news.example.org/1', 'MEDIUM')], // 9
  ['admin', 'claim.created', 'claims/c10', { ...claimState({ text: 'a claim whose name starts with claims/c1' }), evidence: [] }], // 10
  ['reviewer', 'evidence.added', 'claims/c2/evidence/e9', evidenceState('sources/s2', false)], // 11
  ['reviewer', 'evidence.removed', 'claims/c1/evidence/e2', evidenceState('sources/s3', true)], // 12
  ['reviewer', 'claim.verdict_submitted', 'claims/c1', claimState({ status: 'VERIFIED', verdict })], // 13
  ['reviewer', 'claim.updated', 'claims/c1', { ...claimState({ status: 'VERIFIED', verdict, topics: ['drones'] }), updated_fields: 'topics' }], // 14
].map(([actor, action, subject, changes], i) => canonicalize({ action, actor, changes, sequence: i + 1, subject, time: time(i + 1) }));

const CHECKPOINT_SIZE = 13; // entry 14 joined the tree after the checkpoint
const C1 = [2, 4, 5, 7, 8, 9, 12, 13]; // the claim, its evidence, and sources s1 and s3 which they cite

describe('claim proof bundles', () => {
  const key = newLogKey();
  const hashesOf = (leaves) => leaves.map((leaf) => leafHash(Buffer.from(leaf, 'utf8')));
  const checkpointOf = (size, signer = key) => signNote(checkpointText(signer.name, size, mth(hashesOf(LOG.slice(0, size)))), signer);
  const item = (sequence, size = CHECKPOINT_SIZE) => ({
    sequence, leaf: LOG[sequence - 1], inclusion_proof: auditPath(sequence - 1, hashesOf(LOG.slice(0, size))).map(b64),
  });
  const bundleOf = (sequences, over = {}) => ({
    format: BUNDLE_FORMAT, claim: 'claims/c1', checkpoint: checkpointOf(CHECKPOINT_SIZE), entries: sequences.map((s) => item(s)), ...over,
  });
  const good = bundleOf(C1);
  const text = JSON.stringify(good, null, 2);

  test('a bundle verifies, and gives the claim as of the checkpoint', () => {
    const result = verifyClaimBundle(text, key.verifierKey);
    assert.equal(result.claim, 'claims/c1');
    assert.deepEqual(result.checkpoint, { origin: key.name, treeSize: 13n, rootHash: mth(hashesOf(LOG.slice(0, 13))) });
    assert.equal(result.entries, 8);
    assert.deepEqual(result.state, claimState({ status: 'VERIFIED', verdict })); // entry 13; entry 14 is beyond the checkpoint
    assert.deepEqual(result.lastChange, { sequence: 13, time: time(13), actor: 'reviewer', action: 'claim.verdict_submitted' });
    assert.deepEqual(result.evidence, { 'claims/c1/evidence/e2': evidenceState('sources/s3', true) });
    assert.deepEqual(result.sources, { 'sources/s1': source('https://news.example.org/1', 'MEDIUM'), 'sources/s3': source('https://news.example.org/3') });
    assert.deepEqual(result.sourcesWithoutEntries, []);
    assert.deepEqual(result.history.map((h) => [h.sequence, h.subject, h.actor, h.action]), [
      [5, 'claims/c1', 'admin', 'claim.created'],
      [7, 'claims/c1/evidence/e2', 'reviewer', 'evidence.added'],
      [8, 'claims/c1', 'reviewer', 'claim.review_started'],
      [12, 'claims/c1/evidence/e2', 'reviewer', 'evidence.removed'],
      [13, 'claims/c1', 'reviewer', 'claim.verdict_submitted'],
    ]);
    assert.equal(result.history[0].time, time(5));
    // The same as bytes, as a parsed object, with the expected claim named, and with a parsed key.
    assert.deepEqual(verifyClaimBundle(Buffer.from(text), parseVerifierKey(key.verifierKey), { claim: 'claims/c1' }), result);
    assert.deepEqual(verifyClaimBundle(good, key.verifierKey), result);
    // At an earlier checkpoint the claim was still in review (its later entries are not in that tree).
    const early = verifyClaimBundle({ ...good, checkpoint: checkpointOf(9), entries: [2, 4, 5, 7, 8, 9].map((s) => item(s, 9)) }, key.verifierKey);
    assert.equal(early.state.status, 'IN_REVIEW');
    assert.equal(early.state.note, 'looking');
  });

  test('a protobuf-shaped reply verifies too (sequence as a string, leaf and proof hashes as bytes, no format)', () => {
    const reply = {
      claim: 'claims/c1', checkpoint: Buffer.from(good.checkpoint),
      entries: good.entries.map((e) => ({ sequence: String(e.sequence), leaf: Buffer.from(e.leaf, 'utf8'), inclusion_proof: e.inclusion_proof.map((h) => Buffer.from(h, 'base64')) })),
    };
    assert.deepEqual(verifyClaimBundle(reply, key.verifierKey), verifyClaimBundle(good, key.verifierKey));
    assert.equal(verifyClaimBundle({ ...reply, format: '' }, key.verifierKey).entries, 8);
    rejects(() => verifyClaimBundle(JSON.stringify({ ...good, format: undefined }), key.verifierKey), /format/);
  });

  test('GetClaimProof\'s reply as it comes: the checkpoint a Checkpoint message, its note verified, the fields beside it agreeing', () => {
    const root = mth(hashesOf(LOG.slice(0, CHECKPOINT_SIZE)));
    const message = { tree_size: String(CHECKPOINT_SIZE), root_hash: root, note: good.checkpoint, origin: key.name, create_time: { seconds: '1', nanos: 0 } };
    const reply = { ...good, format: undefined, checkpoint: message, as_of_sequence: '0' };
    assert.deepEqual(verifyClaimBundle(reply, key.verifierKey), verifyClaimBundle(good, key.verifierKey));
    assert.equal(verifyClaimBundle({ ...reply, checkpoint: { note: good.checkpoint } }, key.verifierKey).entries, 8);
    assert.equal(verifyClaimBundle({ ...reply, checkpoint: { ...message, root_hash: b64(root) } }, key.verifierKey).entries, 8);
    rejects(() => verifyClaimBundle({ ...reply, checkpoint: { ...message, tree_size: String(CHECKPOINT_SIZE + 1) } }, key.verifierKey), /tree_size/);
    rejects(() => verifyClaimBundle({ ...reply, checkpoint: { ...message, root_hash: nodeHash(root, root) } }, key.verifierKey), /root_hash/);
    rejects(() => verifyClaimBundle({ ...reply, checkpoint: { ...message, origin: 'example.org/other' } }, key.verifierKey), /origin/);
    rejects(() => verifyClaimBundle({ ...reply, checkpoint: { ...message, note: good.checkpoint.replace('\n13\n', '\n12\n') } }, key.verifierKey), /does not verify/);
    // In the bundle file the checkpoint is the note's text, never an object.
    rejects(() => verifyClaimBundle(JSON.stringify({ ...good, checkpoint: message }), key.verifierKey), /checkpoint must be text/);
  });

  test('only source names cited by evidence admit entries: evidence "citing" another claim does not admit it', () => {
    const leaves = [
      canonicalize({ action: 'claim.created', actor: 'admin', changes: { ...claimState(), evidence: [{ source: 'claims/c2', stance: 'SUPPORTS', excerpt: '', locator: '' }] }, sequence: 1, subject: 'claims/c1', time: time(1) }),
      canonicalize({ action: 'claim.created', actor: 'admin', changes: { ...claimState(), evidence: [] }, sequence: 2, subject: 'claims/c2', time: time(2) }),
    ];
    const hashes = hashesOf(leaves);
    const bundle = {
      format: BUNDLE_FORMAT, claim: 'claims/c1', checkpoint: signNote(checkpointText(key.name, 2, mth(hashes)), key),
      entries: leaves.map((leaf, i) => ({ sequence: i + 1, leaf, inclusion_proof: auditPath(i, hashes).map(b64) })),
    };
    rejects(() => verifyClaimBundle(bundle, key.verifierKey), /entry 2: subject claims\/c2 is neither/);
    assert.equal(verifyClaimBundle({ ...bundle, entries: bundle.entries.slice(0, 1) }, key.verifierKey).state.status, 'UNVERIFIED');
  });

  test('a cited source without entries is reported, not rejected (an import registers sources inside its claim entry)', () => {
    const result = verifyClaimBundle(bundleOf([2, 5, 7, 8, 9, 12, 13]), key.verifierKey);
    assert.deepEqual(result.sourcesWithoutEntries, ['sources/s3']);
  });

  const withEntry = (index, change) => ({ ...good, entries: good.entries.map((e, i) => (i === index ? { ...e, ...change(e) } : e)) });
  const leafWith = (sequence, edit) => { const entry = JSON.parse(LOG[sequence - 1]); edit(entry); return canonicalize(entry); };
  const at = (sequence) => C1.indexOf(sequence);

  const tampered = {
    'a changed leaf (still canonical)': [withEntry(at(13), (e) => ({ leaf: e.leaf.replace('"rating":"FALSE"', '"rating":"TRUE"') })), /entry 8 \(sequence 13\): inclusion proof does not lead to the root/],
    'a non-canonical leaf (whitespace)': [withEntry(at(5), (e) => ({ leaf: JSON.stringify(JSON.parse(e.leaf), null, 1) })), /not canonical/],
    'a non-canonical leaf (member order)': [withEntry(at(5), (e) => { const { sequence, ...rest } = JSON.parse(e.leaf); return { leaf: JSON.stringify({ sequence, ...rest }) }; }), /not canonical/],
    'a non-canonical leaf (escaped character)': [withEntry(at(5), (e) => ({ leaf: e.leaf.replace('"admin"', '"\\u0061dmin"') })), /not canonical/],
    'a non-canonical leaf (number form)': [withEntry(at(5), (e) => ({ leaf: e.leaf.replace('"sequence":5', '"sequence":5.0') })), /not canonical/],
    'a leaf with a duplicate member': [withEntry(at(5), (e) => ({ leaf: e.leaf.replace('{"action"', '{"action":"x","action"') })), /not canonical/],
    'a leaf with an unsafe integer': [withEntry(at(5), (e) => ({ leaf: e.leaf.replace('"review_interval_seconds":2592000', '"review_interval_seconds":9007199254740993') })), /not canonical/],
    'a leaf with a lone surrogate': [withEntry(at(5), (e) => ({ leaf: e.leaf.replace('café', 'caf\ud800') })), /lone surrogate/],
    'a leaf with an extra member': [withEntry(at(5), (e) => ({ leaf: leafWith(e.sequence, (x) => { x.previous_hash = '0'.repeat(64); }) })), /leaf members/],
    'a leaf without changes': [withEntry(at(5), (e) => ({ leaf: leafWith(e.sequence, (x) => { delete x.changes; }) })), /leaf members/],
    'a leaf with a time without microseconds': [withEntry(at(5), (e) => ({ leaf: leafWith(e.sequence, (x) => { x.time = '2026-11-25T00:50:05Z'; }) })), /time/],
    'an entry whose sequence is not its leaf\'s': [withEntry(at(5), () => ({ sequence: 6 })), /leaf says sequence 5/],
    'an entry moved to another sequence, leaf and all': [withEntry(at(5), (e) => ({ sequence: 6, leaf: leafWith(e.sequence, (x) => { x.sequence = 6; }) })), /sequence 6\): inclusion proof does not lead/],
    'a sequence that is not an integer': [withEntry(at(5), () => ({ sequence: '5.0' })), /sequence/],
    'an entry about another claim': [bundleOf([2, 4, 5, 6, 7, 8, 9, 12, 13]), /entry 6: subject claims\/c2 is neither/],
    'an entry about a claim whose name merely starts alike': [bundleOf([2, 4, 5, 7, 8, 9, 10, 12, 13]), /entry 10: subject claims\/c10 is neither/],
    'evidence of another claim': [bundleOf([2, 4, 5, 7, 8, 9, 11, 12, 13]), /entry 11: subject claims\/c2\/evidence\/e9/],
    'a source no evidence cites': [bundleOf([2, 3, 4, 5, 7, 8, 9, 12, 13]), /entry 3: subject sources\/s2/],
    'an unrelated entry': [bundleOf([1, 2, 4, 5, 7, 8, 9, 12, 13]), /entry 1: subject apiKeys\/k1/],
    'the proof of another leaf': [withEntry(at(7), () => ({ inclusion_proof: item(8).inclusion_proof })), /sequence 7\): inclusion proof does not lead/],
    'an entry beyond the checkpoint\'s tree size': [{ ...good, entries: [...good.entries, item(14, 14)] }, /sequence 14\): beyond the checkpoint's tree size 13/],
    'proofs for another tree size': [{ ...good, entries: C1.map((s) => item(s, 14)) }, /inclusion proof/],
    'decreasing sequences': [{ ...good, entries: [good.entries[0], good.entries[2], good.entries[1], ...good.entries.slice(3)] }, /strictly increase/],
    'a repeated entry': [{ ...good, entries: [good.entries[0], ...good.entries] }, /strictly increase/],
    'no entry about the claim itself': [bundleOf([4, 7, 12]), /no entry about claims\/c1 itself/],
    'a first claim entry that is not its creation': [bundleOf([4, 7, 8, 12, 13]), /first entry about claims\/c1 \(8\) is claim.review_started/],
    'a checkpoint signed by another key': [{ ...good, checkpoint: checkpointOf(CHECKPOINT_SIZE, newLogKey()) }, /no signature by/],
    'a checkpoint whose size was changed': [{ ...good, checkpoint: good.checkpoint.replace('\n13\n', '\n14\n') }, /does not verify/],
    'a missing checkpoint': [{ ...good, checkpoint: undefined }, /empty line/],
    'a proof hash in URL-safe base64': [withEntry(at(5), (e) => ({ inclusion_proof: e.inclusion_proof.map((h) => h.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')) })), /base64/],
    'a proof hash cut short': [withEntry(at(5), (e) => ({ inclusion_proof: [b64(Buffer.from(e.inclusion_proof[0], 'base64').subarray(1)), ...e.inclusion_proof.slice(1)] })), /31 bytes/],
    'a missing proof hash': [withEntry(at(5), (e) => ({ inclusion_proof: e.inclusion_proof.slice(1) })), /inclusion proof has/],
    'another format': [{ ...good, format: 'claimledger.claim-proof.v2' }, /format/],
    'a claim name that is not one': [{ ...good, claim: 'claims/c1/evidence/e2' }, /not a claim name/],
    'entries that are not an array': [{ ...good, entries: {} }, /entries/],
  };
  for (const [name, [bundle, pattern]] of Object.entries(tampered)) {
    test(`rejected: ${name}`, () => {
      rejects(() => verifyClaimBundle(bundle, key.verifierKey), pattern);
      rejects(() => verifyClaimBundle(JSON.stringify(bundle), key.verifierKey), pattern); // the same as the CLI's file
    });
  }

  test('rejected: a bundle about another claim than the one asked for; not JSON; a bad verifier key', () => {
    rejects(() => verifyClaimBundle(text, key.verifierKey, { claim: 'claims/c2' }), /about claims\/c1, not claims\/c2/);
    rejects(() => verifyClaimBundle('{"format":', key.verifierKey), /not JSON/);
    rejects(() => verifyClaimBundle(Buffer.from([0x7b, 0xff, 0x7d]), key.verifierKey), /UTF-8/);
    rejects(() => verifyClaimBundle('[]', key.verifierKey), /not an object/);
    rejects(() => verifyClaimBundle(text, newLogKey().verifierKey), /no signature by/);
    rejects(() => verifyClaimBundle(text, key.verifierKey.slice(0, -1)), /base64/);
  });

  test('the CLI verifies a bundle file, and exits 1 on a tampered one', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'claimledger-bundle-'));
    try {
      const file = path.join(dir, 'bundle.json');
      writeFileSync(file, text);
      const ok = spawnSync(process.execPath, ['transparency.mjs', 'verify-bundle', file, `${key.verifierKey}\n`], { cwd: here, encoding: 'utf8' });
      assert.equal(ok.status, 0, ok.stderr);
      const printed = JSON.parse(ok.stdout);
      assert.equal(printed.state.status, 'VERIFIED');
      assert.equal(printed.checkpoint.treeSize, '13');
      assert.equal(printed.checkpoint.rootHash, b64(mth(hashesOf(LOG.slice(0, 13)))));
      assert.match(ok.stderr, /verified: 8 entries about claims\/c1/);
      const asked = spawnSync(process.execPath, ['transparency.mjs', 'verify-bundle', file, key.verifierKey, 'claims/c2'], { cwd: here, encoding: 'utf8' });
      assert.equal(asked.status, 1);
      writeFileSync(file, JSON.stringify(tampered['a changed leaf (still canonical)'][0]));
      const bad = spawnSync(process.execPath, ['transparency.mjs', 'verify-bundle', file, key.verifierKey], { cwd: here, encoding: 'utf8' });
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /NOT VERIFIED: entry 8 \(sequence 13\): inclusion proof does not lead to the root hash/);
      assert.equal(bad.stdout, '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
