// Staleness checks from the command line (admin key: $CLAIMLEDGER_API_KEY, else the admin key file).
// Usage: node stale.mjs [host:port] policy                      show the review policy
//        node stale.mjs [host:port] policy DEFAULT_DAYS [topic=DAYS ...]   set it (days may be fractional: 0.0007 ≈ 1 min)
//        node stale.mjs [host:port] run [VERDICT_EXPIRY|SOURCE_HEALTH|UNSOURCED_CLAIMS ...]   run now and wait for the result
//        node stale.mjs [host:port] list                        stale claims with their reasons
import { connect } from './claimledger.mjs';
import { adminKey } from './walkthrough.mjs';

const args = process.argv.slice(2);
const address = args[0]?.includes(':') ? args.shift() : '127.0.0.1:5180';
const [command, ...rest] = args;
const { call, close } = connect(address, adminKey());
const seconds = (days) => ({ seconds: Math.round(Number(days) * 86400), nanos: 0 });
try {
  if (command === 'policy' && rest.length === 0) {
    console.log(JSON.stringify(await call('staleness', 'GetReviewPolicy', {}), null, 2));
  } else if (command === 'policy') {
    const current = await call('staleness', 'GetReviewPolicy', {});
    const topics = Object.fromEntries(rest.slice(1).map((t) => t.split('=')).map(([k, v]) => [k, seconds(v)]));
    const policy = await call('staleness', 'SetReviewPolicy', { policy: {
      default_review_interval: seconds(rest[0]), unsourced_after: current.unsourced_after, topic_review_intervals: topics, etag: current.etag } });
    console.log(JSON.stringify(policy, null, 2));
  } else if (command === 'run') {
    let run = await call('staleness', 'RunStalenessCheck', { checks: rest });
    while (run.state === 'PENDING' || run.state === 'RUNNING') {
      await new Promise((r) => setTimeout(r, 500));
      run = await call('staleness', 'GetStalenessRun', { name: run.name });
    }
    console.log(JSON.stringify(run, null, 2));
  } else if (command === 'list') {
    const { stale_claims: stale } = await call('staleness', 'ListStaleClaims', { page_size: 100 });
    for (const s of stale) {
      console.log(`${s.claim.name}  ${s.claim.text}`);
      for (const f of s.findings) console.log(`    ${f.reason}  ${f.source} ${f.evidence}  ${f.detail}  (${f.run})`);
    }
  } else {
    console.error('usage: node stale.mjs [host:port] policy [DEFAULT_DAYS [topic=DAYS ...]] | run [CHECK ...] | list');
    process.exitCode = 2;
  }
} catch (error) {
  console.error(`${error.code}: ${error.details}`);
  process.exitCode = 1;
} finally {
  close();
}
