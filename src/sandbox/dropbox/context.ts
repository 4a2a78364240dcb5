// What a route handler gets: the sandbox's parts and the request being served.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { ActiveFaults } from './faults.js';
import type { TokenStore } from './oauth.js';
import type { SessionStore } from './sessions.js';
import type { FileStore } from './store.js';
import type { Reply } from './wire.js';

/** 150 MiB: the most one upload-style request may carry. */
export const MAX_UPLOAD_BYTES = 150 * 1024 * 1024;

export interface TempLink {
  entryId: string;
  rev: string;
  expiresAt: number;
}

export class SandboxCore {
  readonly tempLinks = new Map<string, TempLink>();
  baseUrl = '';

  constructor(
    readonly store: FileStore,
    readonly sessions: SessionStore,
    readonly tokens: TokenStore,
    readonly tmpDir: string,
    readonly pageSize: number,
  ) {}

  tmpFile(): string {
    return join(this.tmpDir, randomBytes(12).toString('hex'));
  }
}

export interface Call {
  route: string;
  req: IncomingMessage;
  reply: Reply;
  faults: ActiveFaults;
  /** The decoded argument (RPC body or Dropbox-API-Arg). */
  arg: unknown;
  /** Where the argument came from, for 400 messages. */
  where: string;
  accessToken: string;
  /** Upload-style routes: stream the body to onChunk (stops past 150 MiB; the rest is drained). */
  body(onChunk: (chunk: Buffer) => Promise<void> | void): Promise<{ bytes: number; tooLarge: boolean }>;
}

export type Handler = (core: SandboxCore, call: Call) => Promise<void>;
