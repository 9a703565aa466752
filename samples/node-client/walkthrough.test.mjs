// Cross-language contract test: a client holding only the .proto files drives the real server (started here on a
// fresh data directory and a free loopback port) through the whole verification workflow.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { walkthrough } from './walkthrough.mjs';
import { verifyLedger } from './verify-ledger.mjs';
import { connect } from './claimledger.mjs';
import { startServer } from './server.mjs';

let server; let address;

before(async () => {
  server = await startServer();
  ({ address } = server);
});

after(() => server?.stop());

const adminKeyOfServer = () => server.adminKey();

test('a proto-only client records, reviews and verifies a claim, and gets clear errors', { timeout: 180_000 }, async () => {
  const { article, claim, verified, history, errors } = await walkthrough(address, () => {}, await adminKeyOfServer());

  assert.match(article.canonical_url, /^https:\/\/news\.example\.org\/2025\/iran-russia-drones\?run=/);
  assert.equal(claim.status, 'UNVERIFIED');
  assert.equal(verified.status, 'VERIFIED');
  assert.equal(verified.verdict.rating, 'FALSE');
  assert.equal(verified.verdict.score, 0);
  assert.equal(verified.verdict.reviewer, 'walkthrough');
  assert.deepEqual(history.events.map((e) => e.type),
    ['CREATED', 'EVIDENCE_ADDED', 'REVIEW_STARTED', 'EVIDENCE_ADDED', 'VERDICT_SUBMITTED']);

  const byLabel = Object.fromEntries(errors.map((e) => [e.label, e]));
  assert.equal(byLabel['CreateClaim with bad input'].code, 'INVALID_ARGUMENT');
  assert.deepEqual(byLabel['CreateClaim with bad input'].fieldViolations.map((v) => v.field).sort(),
    ['claim.claimant', 'claim.language_code', 'claim.text']);
  assert.equal(byLabel['StartReview on a VERIFIED claim'].code, 'FAILED_PRECONDITION');
  assert.equal(byLabel['StartReview on a VERIFIED claim'].reason, 'ILLEGAL_TRANSITION');
  assert.equal(byLabel['SubmitVerdict with a stale etag'].code, 'ABORTED');
  assert.equal(byLabel['GetClaim of an unknown claim'].code, 'NOT_FOUND');
  assert.equal(byLabel['SearchClaims with bad syntax'].code, 'INVALID_ARGUMENT');
  assert.deepEqual(byLabel['SearchClaims with bad syntax'].fieldViolations.map((v) => v.field), ['query']);
  assert.equal(byLabel['VerifyLedger as an EDITOR'].code, 'PERMISSION_DENIED');
  assert.equal(byLabel['GetClaim without an API key'].code, 'UNAUTHENTICATED');
  assert.equal(byLabel['GetClaim without an API key'].reason, 'API_KEY_MISSING');
});

test('an independent re-implementation of docs/ledger-format.md verifies the server\'s chain and reaches its digest', { timeout: 60_000 }, async () => {
  const admin = connect(address, await adminKeyOfServer());
  try {
    await admin.waitForReady(30_000);
    for (let i = 0; i < 3; i++) {
      await admin.call('sources', 'CreateSource', { source: { url: `https://verify.example.org/${Date.now()}-${i}`, kind: 'OTHER', title: 'ü "quoted" \\ é' } });
    }
    const result = await verifyLedger(admin.call);
    const digest = await admin.call('ledger', 'GetLedgerDigest', {});
    const server = await admin.call('ledger', 'VerifyLedger', { digest });

    assert.equal(result.valid, true, result.problem);
    assert.ok(result.checked >= 4);
    assert.equal(result.headSequence, Number(digest.head_sequence));
    assert.equal(result.headHash, digest.head_hash);
    assert.equal(server.valid, true);
    assert.equal(Number(server.entries_checked), result.checked);
  } finally {
    admin.close();
  }
});

test('WatchLedger delivers existing entries, then new ones live, and resumes without gaps or repeats', { timeout: 60_000 }, async () => {
  const admin = connect(address, await adminKeyOfServer());
  const seen = [];
  const waitFor = async (predicate) => { for (let i = 0; i < 200 && !predicate(); i++) await new Promise((r) => setTimeout(r, 50)); };
  try {
    await admin.waitForReady(30_000);
    const head = Number((await admin.call('ledger', 'GetLedgerDigest', {})).head_sequence);
    let call = admin.watch(1, (e) => seen.push(Number(e.sequence)));
    await waitFor(() => seen.length >= head);
    await admin.call('sources', 'CreateSource', { source: { url: `https://watch.example.org/${Date.now()}`, kind: 'OTHER' } });
    await waitFor(() => seen.length >= head + 1);
    call.cancel();

    const resumeAt = seen[seen.length - 1] + 1;
    await admin.call('sources', 'CreateSource', { source: { url: `https://watch.example.org/${Date.now()}-b`, kind: 'OTHER' } });
    call = admin.watch(resumeAt, (e) => seen.push(Number(e.sequence)));
    await waitFor(() => seen.length >= head + 2);
    call.cancel();

    assert.deepEqual(seen, Array.from({ length: head + 2 }, (_, i) => i + 1));
  } finally {
    admin.close();
  }
});
