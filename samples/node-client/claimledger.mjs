// A ClaimLedger client built from the .proto files in GrpcContracts/ alone — no generated code, no shared library.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

const protoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../GrpcContracts');

export function connect(address, apiKey) {
  const definition = protoLoader.loadSync(
    ['claimledger/v1/claims.proto', 'claimledger/v1/sources.proto', 'claimledger/v1/evidence.proto', 'claimledger/v1/access.proto', 'claimledger/v1/ledger.proto', 'claimledger/v1/reports.proto', 'claimledger/v1/staleness.proto'],
    { includeDirs: [protoRoot], keepCase: true, longs: String, enums: String, defaults: true });
  const v1 = grpc.loadPackageDefinition(definition).claimledger.v1;
  const credentials = grpc.credentials.createInsecure();
  const clients = {
    claims: new v1.ClaimService(address, credentials),
    sources: new v1.SourceService(address, credentials),
    evidence: new v1.EvidenceService(address, credentials),
    access: new v1.AccessService(address, credentials),
    ledger: new v1.LedgerService(address, credentials),
    reports: new v1.ReportService(address, credentials),
    staleness: new v1.StalenessService(address, credentials),
  };
  // call('claims', 'CreateClaim', {...}) → Promise of the reply; rejects with the gRPC error.
  const call = (service, method, request, deadlineMs = 10_000) => new Promise((resolve, reject) => {
    const metadata = new grpc.Metadata();
    if (apiKey) metadata.set('authorization', `Bearer ${apiKey}`);
    clients[service][method](request, metadata, { deadline: Date.now() + deadlineMs }, (error, reply) => (error ? reject(error) : resolve(reply)));
  });
  const waitForReady = (ms) => new Promise((resolve, reject) =>
    clients.claims.waitForReady(Date.now() + ms, (error) => (error ? reject(error) : resolve())));
  // stream('reports', 'GenerateAuditReport', {...}) → Promise of the concatenated chunk data (a Buffer) and the first chunk's headers.
  const stream = (service, method, request, deadlineMs = 120_000) => new Promise((resolve, reject) => {
    const metadata = new grpc.Metadata();
    if (apiKey) metadata.set('authorization', `Bearer ${apiKey}`);
    const parts = []; let head;
    const call = clients[service][method](request, metadata, { deadline: Date.now() + deadlineMs });
    call.on('data', (chunk) => { head ??= chunk; parts.push(chunk.data); });
    call.on('error', reject);
    call.on('end', () => resolve({ data: Buffer.concat(parts), contentType: head?.content_type, fileName: head?.file_name }));
  });
  // watch(fromSequence, onEntry) → the call (cancel() to stop); entries arrive in sequence order, then live.
  const watch = (startSequence, onEntry, onError = () => {}) => {
    const metadata = new grpc.Metadata();
    if (apiKey) metadata.set('authorization', `Bearer ${apiKey}`);
    const call = clients.ledger.WatchLedger({ start_sequence: startSequence }, metadata);
    call.on('data', onEntry);
    call.on('error', (e) => { if (e.code !== grpc.status.CANCELLED) onError(e); });
    return call;
  };
  const close = () => Object.values(clients).forEach((c) => c.close());
  return { call, stream, watch, waitForReady, close };
}

// The standard google.rpc error model, carried in the grpc-status-details-bin trailer.
const rpc = protobuf.parse(`
  syntax = "proto3";
  package google.rpc;
  message Any { string type_url = 1; bytes value = 2; }
  message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
  message ErrorInfo { string reason = 1; string domain = 2; map<string, string> metadata = 3; }
  message BadRequest { message FieldViolation { string field = 1; string description = 2; } repeated FieldViolation field_violations = 1; }
`, { keepCase: true }).root;

export function errorDetails(error) {
  const [bytes] = error.metadata?.get('grpc-status-details-bin') ?? [];
  const result = { code: grpc.status[error.code], message: error.details, reason: undefined, fieldViolations: [] };
  if (!bytes) return result;
  const status = rpc.lookupType('google.rpc.Status').decode(bytes);
  for (const any of status.details) {
    if (any.type_url.endsWith('/google.rpc.ErrorInfo')) result.reason = rpc.lookupType('google.rpc.ErrorInfo').decode(any.value).reason;
    if (any.type_url.endsWith('/google.rpc.BadRequest')) {
      result.fieldViolations = rpc.lookupType('google.rpc.BadRequest').decode(any.value).field_violations
        .map((v) => ({ field: v.field, description: v.description }));
    }
  }
  return result;
}
