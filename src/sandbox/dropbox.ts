// A fake Dropbox API v2 on loopback, faithful to contracts/dropbox.md: RPC, upload and download
// routes, OAuth PKCE and refresh, and fault injection. Used by tests and by `sreg --sandbox`.
// Hand-written: no library fakes Dropbox's wire format.
export { startDropboxSandbox } from './dropbox/server.js';
export type {
  ApproveOptions,
  DropboxSandbox,
  DropboxSandboxOptions,
  FaultPlan,
  FaultRule,
  FaultSpec,
  IssuedToken,
  IssueTokenOptions,
  RequestLogEntry,
  SeededFile,
} from './dropbox/types.js';
