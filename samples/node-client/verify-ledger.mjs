// An independent ledger verifier, written from docs/ledger-format.md alone: its own RFC 8785 canonicalisation and
// SHA-256 chain, reading entries through ListLedgerEntries. Usage: node verify-ledger.mjs [host:port]  (auditor key in
// $CLAIMLEDGER_API_KEY or the admin key file). Prints the head it computed and the server's own VerifyLedger answer
// (which also compares claims with their entries); exits 1 if either finds a problem.
import { createHash } from 'node:crypto';
import { connect } from './claimledger.mjs';
import { adminKey } from './walkthrough.mjs';

export function canonicalize(value) {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`not a canonical ledger number: ${value}`);
    return String(value);
  }
  if (typeof value === 'string') {
    return `"${value.replace(/[\u0000-\u001f"\\]/g, (c) => ({ '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]
      ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalize).join(',')}]`;
  // JavaScript string comparison is by UTF-16 code units, as RFC 8785 requires.
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${canonicalize(k)}:${canonicalize(value[k])}`).join(',')}}`;
}

const timeText = (ts) => {
  const iso = new Date(Number(ts.seconds) * 1000).toISOString().slice(0, 19);
  return `${iso}.${String(Math.floor(ts.nanos / 1000)).padStart(6, '0')}Z`;
};

export function entryHash(previousHash, entry) {
  const canonical = canonicalize({
    action: entry.action, actor: entry.actor, changes: JSON.parse(entry.changes),
    sequence: Number(entry.sequence), subject: entry.subject, time: timeText(entry.time),
  });
  return createHash('sha256').update(Buffer.from(previousHash, 'hex')).update(Buffer.from(canonical, 'utf8')).digest('hex');
}

/** Reads the whole ledger and re-verifies the chain. Returns { valid, checked, headSequence, headHash, problem }. */
export async function verifyLedger(call) {
  let previous = '0'.repeat(64); let expected = 1; let pageToken = '';
  do {
    const page = await call('ledger', 'ListLedgerEntries', { page_size: 100, page_token: pageToken });
    for (const entry of page.entries) {
      const sequence = Number(entry.sequence);
      const fail = (problem) => ({ valid: false, checked: expected - 1, headSequence: expected - 1, headHash: previous, problem: `entry ${sequence}: ${problem}` });
      if (sequence !== expected) return fail(`expected sequence ${expected}`);
      if (entry.previous_hash !== previous) return fail('previous_hash does not match the entry before it');
      const hash = entryHash(previous, entry);
      if (hash !== entry.entry_hash) return fail(`content hashes to ${hash}, recorded ${entry.entry_hash}`);
      if (canonicalize(JSON.parse(entry.changes)) !== entry.changes) return fail('changes are not canonical JSON');
      previous = hash; expected += 1;
    }
    pageToken = page.next_page_token;
  } while (pageToken);
  return { valid: true, checked: expected - 1, headSequence: expected - 1, headHash: previous };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { call, close } = connect(process.argv[2] ?? '127.0.0.1:5180', adminKey());
  try {
    const result = await verifyLedger(call);
    console.log('independent:', JSON.stringify(result));
    const server = await call('ledger', 'VerifyLedger', {});
    console.log('server:     ', JSON.stringify({ valid: server.valid, entries_checked: Number(server.entries_checked),
      claims_checked: Number(server.claims_checked), first_problem: server.first_problem ?? undefined }));
    process.exitCode = result.valid && server.valid ? 0 : 1;
  } finally {
    close();
  }
}
