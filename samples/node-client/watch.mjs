// Streams ledger entries as they commit. Usage: node watch.mjs [host:port] [start sequence, default 1]
// (auditor or admin key in $CLAIMLEDGER_API_KEY, else the admin key file). Ctrl-C to stop; restart at last + 1.
import { connect } from './claimledger.mjs';
import { adminKey } from './walkthrough.mjs';

const [address = '127.0.0.1:5180', start = '1'] = process.argv.slice(2);
const { watch, close } = connect(address, adminKey());
const call = watch(Number(start), (e) => console.log(`#${e.sequence}  ${new Date(Number(e.time.seconds) * 1000).toISOString()}  ${e.actor.padEnd(16)} ${e.action.padEnd(24)} ${e.subject}`),
  (error) => { console.error(`${error.code}: ${error.details}`); process.exitCode = 1; close(); });
process.on('SIGINT', () => { call.cancel(); close(); });
