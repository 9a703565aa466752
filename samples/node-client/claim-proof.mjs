// Fetches what transparency.mjs checks offline, with an auditor key ($CLAIMLEDGER_API_KEY, else the admin key file):
//
//   node claim-proof.mjs [host:port] claims/<id> [tree size] > bundle.json   GetClaimProof, as a bundle file
//   node claim-proof.mjs [host:port] --verifier-key > log.vkey              GetVerifierKey
//
// then: node transparency.mjs verify-bundle bundle.json "$(cat log.vkey)" claims/<id>
import { connect, errorDetails } from './claimledger.mjs';
import { BUNDLE_FORMAT } from './transparency.mjs';
import { adminKey } from './walkthrough.mjs';

/**
 * GetClaimProof's reply as the bundle file (docs/ledger-format.md, "Claim proof bundles"): format, claim, the
 * checkpoint's signed note, and the entries with their sequence, leaf text and base64 inclusion proof hashes.
 */
export const bundleJson = (reply) => `${JSON.stringify({
  format: BUNDLE_FORMAT,
  claim: reply.claim,
  checkpoint: reply.checkpoint.note,
  entries: reply.entries.map((e) => ({
    sequence: Number(e.sequence), leaf: e.leaf, inclusion_proof: e.inclusion_proof.map((h) => Buffer.from(h).toString('base64')),
  })),
}, null, 2)}\n`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const address = args[0]?.includes(':') ? args.shift() : '127.0.0.1:5180';
  const [what, treeSize = '0'] = args;
  if (!what || !(what === '--verifier-key' || what.startsWith('claims/')) || !/^\d+$/.test(treeSize)) {
    console.error('usage: node claim-proof.mjs [host:port] claims/<id> [tree size] > bundle.json\n'
      + '       node claim-proof.mjs [host:port] --verifier-key > log.vkey');
    process.exitCode = 2;
  } else {
    const { call, close } = connect(address, adminKey());
    try {
      if (what === '--verifier-key') {
        console.log((await call('ledger', 'GetVerifierKey', {})).verifier_key);
      } else {
        const reply = await call('ledger', 'GetClaimProof', { name: what, tree_size: treeSize });
        process.stdout.write(bundleJson(reply));
        console.error(`${reply.entries.length} entries of ${reply.claim}, proven in the checkpoint of tree size ${reply.checkpoint.tree_size}`);
      }
    } catch (error) {
      const details = errorDetails(error);
      console.error(`${details.code}${details.reason ? ` (${details.reason})` : ''}: ${details.message}`);
      process.exitCode = 1;
    } finally {
      close();
    }
  }
}
