// The real server for the contract tests: started on a fresh data directory and a free loopback port, its admin key
// read from the data directory. It runs the build of $CONFIGURATION (default Release) when there is one —
// src/ClaimLedger.Server/bin/<configuration>/net10.0/ClaimLedger.Server.dll, as CI's `dotnet test` leaves it — so that
// test files running side by side do not build the same project at once; without that build, `dotnet run` builds it.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const freePort = () => new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => { const { port } = probe.address(); probe.close(() => resolve(port)); });
});

/**
 * Starts a server; `environment` adds configuration (ASP.NET Core style, e.g. Ledger__Checkpoints__Interval).
 * Returns { address, dataDirectory, adminKey() (waits for the file the first start writes), stop() }.
 */
export async function startServer(environment = {}) {
  const configuration = process.env.CONFIGURATION ?? 'Release';
  const dataDirectory = mkdtempSync(path.join(os.tmpdir(), 'claimledger-node-'));
  const address = `127.0.0.1:${await freePort()}`;
  const project = path.join(repo, 'src/ClaimLedger.Server');
  const dll = path.join(project, 'bin', configuration, 'net10.0', 'ClaimLedger.Server.dll');
  const [args, cwd] = existsSync(dll)
    // The content root is the working directory: the server reads its appsettings.json (HTTP/2 endpoints) from there.
    ? [[dll], path.dirname(dll)]
    : [['run', '--project', project, '-c', configuration, '--no-launch-profile'], undefined];
  const server = spawn('dotnet', args, {
    cwd,
    env: {
      ...process.env,
      Database__DataDirectory: dataDirectory,
      Kestrel__Endpoints__Grpc__Url: `http://${address}`,
      DOTNET_ENVIRONMENT: 'Production',
      ...environment,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise((resolve) => server.once('exit', resolve));

  const adminKey = async () => {
    const file = path.join(dataDirectory, 'admin-api-key');
    const read = () => (existsSync(file) ? readFileSync(file, 'ascii').trim() : '');
    for (let i = 0; i < 1200 && !read() && server.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    const key = read();
    if (!key) throw new Error(`the server wrote no admin key (${server.exitCode === null ? 'in 2 minutes' : `it exited with ${server.exitCode}`})`);
    return key;
  };

  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDirectory, { recursive: true, force: true });
  };

  return { address, dataDirectory, adminKey, stop };
}
