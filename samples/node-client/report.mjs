// Writes an audit report to a file. Usage: node report.mjs [host:port] [html|md|csv|json] [days back, default 30]
// (auditor or admin key in $CLAIMLEDGER_API_KEY, else the admin key file).
import { writeFileSync } from 'node:fs';
import { connect } from './claimledger.mjs';
import { adminKey } from './walkthrough.mjs';

const [address = '127.0.0.1:5180', format = 'html', days = '30'] = process.argv.slice(2);
const formats = { html: 'HTML', md: 'MARKDOWN', csv: 'CSV', json: 'JSON' };
const end = new Date(Date.now() + 60_000);
const start = new Date(end.getTime() - Number(days) * 86_400_000);
const ts = (d) => ({ seconds: Math.floor(d.getTime() / 1000), nanos: 0 });
const { stream, close } = connect(address, adminKey());
try {
  const report = await stream('reports', 'GenerateAuditReport', { start_time: ts(start), end_time: ts(end), format: formats[format] });
  writeFileSync(report.fileName, report.data);
  console.log(`${report.fileName} (${report.contentType}, ${report.data.length} bytes)`);
} finally {
  close();
}
