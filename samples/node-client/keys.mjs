// API key management with the admin key ($CLAIMLEDGER_API_KEY, else the admin key file).
// Usage: node keys.mjs [host:port] create NAME ROLE | list | revoke apiKeys/ID
import { connect } from './claimledger.mjs';
import { adminKey } from './walkthrough.mjs';

const args = process.argv.slice(2);
const address = args[0]?.includes(':') ? args.shift() : '127.0.0.1:5180';
const [command, ...rest] = args;
const { call, close } = connect(address, adminKey());
try {
  if (command === 'create') {
    const [displayName, role = 'READER'] = rest;
    const created = await call('access', 'CreateApiKey', { api_key: { display_name: displayName, role: role.toUpperCase() } });
    console.log(`${created.api_key.name}  ${created.api_key.display_name}  ${created.api_key.role}`);
    console.log(`key (shown once): ${created.key}`);
  } else if (command === 'list') {
    const { api_keys: keys } = await call('access', 'ListApiKeys', { page_size: 100, show_revoked: true });
    for (const k of keys) console.log(`${k.name}  ${k.display_name.padEnd(20)} ${k.role.padEnd(11)} ${k.key_prefix}…  ${k.revoke_time ? 'revoked' : 'active'}`);
  } else if (command === 'revoke') {
    const revoked = await call('access', 'RevokeApiKey', { name: rest[0] });
    console.log(`${revoked.name} revoked by ${revoked.revoked_by}`);
  } else {
    console.error('usage: node keys.mjs [host:port] create NAME ROLE | list | revoke apiKeys/ID');
    process.exitCode = 2;
  }
} catch (error) {
  console.error(`${error.code}: ${error.details}`);
  process.exitCode = 1;
} finally {
  close();
}
