// The README's example session: record a claim, register sources, attach evidence, start review, submit a verdict,
// read the history, and see clear errors for bad input. Usage: node walkthrough.mjs [host:port]
// It runs as an EDITOR key named "walkthrough" that it creates with the admin key ($CLAIMLEDGER_API_KEY, or the file
// $CLAIMLEDGER_API_KEY_FILE, default ../../src/ClaimLedger.Server/data/admin-api-key).
import { readFileSync } from 'node:fs';
import { connect, errorDetails } from './claimledger.mjs';

export function adminKey() {
  if (process.env.CLAIMLEDGER_API_KEY) return process.env.CLAIMLEDGER_API_KEY;
  const file = process.env.CLAIMLEDGER_API_KEY_FILE ?? new URL('../../src/ClaimLedger.Server/data/admin-api-key', import.meta.url);
  return readFileSync(file, 'ascii').trim();
}

export async function walkthrough(address, log = console.log, admin = adminKey()) {
  const asAdmin = connect(address, admin);
  let editorKey;
  try {
    await asAdmin.waitForReady(30_000);
    const created = await asAdmin.call('access', 'CreateApiKey', { api_key: { display_name: 'walkthrough', role: 'EDITOR' } });
    editorKey = created.key;
    log(`CreateApiKey   ${created.api_key.name}  ${created.api_key.display_name} (${created.api_key.role})  key=${created.key.slice(0, 11)}…`);
  } finally {
    asAdmin.close();
  }

  const { call, close } = connect(address, editorKey);
  try {
    const stamp = new Date().toISOString();
    const article = await call('sources', 'CreateSource', { source: {
      url: `https://news.example.org/2025/iran-russia-drones?utm_source=feed&run=${stamp}#top`,
      title: 'Example report on drone deliveries', publisher: 'Example News', kind: 'NEWS_ARTICLE',
      reliability: 'RELIABILITY_C_FAIRLY_RELIABLE' } });
    log(`CreateSource   ${article.name}  canonical_url=${article.canonical_url}`);

    const claim = await call('claims', 'CreateClaim', {
      claim: { text: `Example claim recorded by the walkthrough at ${stamp}: a ministry supplied drones to a neighbour.`,
        claimant: 'Example Daily', language_code: 'en', topics: ['example', 'drones'] },
      evidence: [{ source: article.name, stance: 'ORIGIN', excerpt: 'a ministry supplied drones', locator: 'paragraph 1' }],
      allow_duplicate: true, // every run records the same example claim; without this, the second run is told it is a near-duplicate
      request_id: `walkthrough-${stamp}` });
    log(`CreateClaim    ${claim.name}  status=${claim.status}  etag=${claim.etag}`);

    const review = await call('claims', 'StartReview', { name: claim.name, etag: claim.etag, note: 'picked up' });
    log(`StartReview    status=${review.status}`);

    const report = await call('sources', 'CreateSource', { source: {
      url: `https://registry.example.gov/exports/${Date.now()}`, title: 'Export register (example)', kind: 'DATASET' } });
    const evidence = await call('evidence', 'AddEvidence', { parent: claim.name, evidence: {
      source: report.name, stance: 'REFUTES', excerpt: 'No such export is listed.', credibility: 'CREDIBILITY_2_PROBABLY_TRUE' } });
    log(`AddEvidence    ${evidence.name}  stance=${evidence.stance}`);

    const verified = await call('claims', 'SubmitVerdict', { name: claim.name, etag: review.etag, rating: 'FALSE',
      rationale: 'Example rationale: the export register lists no such delivery.', evidence: [evidence.name] });
    log(`SubmitVerdict  status=${verified.status}  rating=${verified.verdict.rating}  score=${verified.verdict.score}`);

    const history = await call('claims', 'ListClaimHistory', { name: claim.name });
    log('ListClaimHistory');
    for (const e of history.events) {
      const move = e.to_status !== 'CLAIM_STATUS_UNSPECIFIED' ? `${e.from_status.replace('CLAIM_STATUS_UNSPECIFIED', '(new)')} -> ${e.to_status}` : e.detail;
      log(`  #${e.sequence} ${e.type.padEnd(17)} ${move}  by ${e.actor}`);
    }

    const errors = [];
    for (const [label, attempt] of [
      ['CreateClaim with bad input', () => call('claims', 'CreateClaim', { claim: { text: '', language_code: 'english' } })],
      ['StartReview on a VERIFIED claim', () => call('claims', 'StartReview', { name: claim.name })],
      ['SubmitVerdict with a stale etag', () => call('claims', 'SubmitVerdict', { name: claim.name, etag: claim.etag, rating: 'TRUE', rationale: 'x' })],
      ['GetClaim of an unknown claim', () => call('claims', 'GetClaim', { name: `claims/${'0'.repeat(32)}` })],
      ['SearchClaims with bad syntax', () => call('claims', 'SearchClaims', { query: '"unterminated' })],
      ['VerifyLedger as an EDITOR', () => call('ledger', 'VerifyLedger', {})],
      ['GetClaim without an API key', async () => {
        const anonymous = connect(address);
        try { return await anonymous.call('claims', 'GetClaim', { name: claim.name }); } finally { anonymous.close(); }
      }],
    ]) {
      try { await attempt(); errors.push({ label, code: 'OK' }); } catch (error) {
        const details = errorDetails(error);
        errors.push({ label, ...details });
        log(`${label}: ${details.code} (${details.reason})`);
        log(details.fieldViolations.length > 0 ? details.fieldViolations.map((v) => `  ${v.field}: ${v.description}`).join('\n') : `  ${details.message}`);
      }
    }
    return { article, claim, verified, history, errors };
  } finally {
    close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await walkthrough(process.argv[2] ?? '127.0.0.1:5180');
}
