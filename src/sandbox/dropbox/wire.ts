// How the sandbox talks HTTP: Dropbox's error bodies by status (contracts/dropbox.md §3), response
// sending with the response-side faults (lost response, truncation, reset, throttling), and request
// body reading with the request-side ones.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { pace, throttleSlice, type ActiveFaults } from './faults.js';
import type { RequestLogEntry } from './types.js';

/** 400 with a text body: `Error in call to API function "<route>": <message>`. */
export class BadRequest extends Error {}

/** A route error: JSON `{error_summary, error}`, 409 unless told otherwise. */
export class RouteError extends Error {
  constructor(
    readonly error: Record<string, unknown>,
    readonly status = 409,
  ) {
    super(String(error['.tag']));
  }
}

/** Any other JSON answer that ends the request (401 AuthError, 400 oauth errors, 422, 429). */
export class JsonFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

/** The connection is gone (cut by a fault or by the client); there is nothing left to answer. */
export class ConnectionCut extends Error {}

/** A union member with no value, the way Stone writes it. */
export function tag(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { '.tag': name, ...extra };
}

/** A union member holding a union/polymorphic value: nested under the tag's name. */
export function nested(name: string, value: unknown): Record<string, unknown> {
  return { '.tag': name, [name]: value };
}

export function authError(name: string, extra: Record<string, unknown> = {}): JsonFailure {
  const error = tag(name, extra);
  return new JsonFailure(401, { error_summary: summaryOf(error, 0), error });
}

function isUnionValue(v: unknown): v is Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  const t = o['.tag'];
  return typeof t === 'string' && Object.keys(o).every((k) => k === '.tag' || k === t);
}

/**
 * "path/not_found/..": the chain of union tags. Clients must not parse it, so the trailing dots
 * vary from request to request as they do on the real service.
 */
export function summaryOf(error: Record<string, unknown>, salt: number): string {
  const parts: string[] = [];
  let cur: Record<string, unknown> | undefined = error;
  while (cur && typeof cur['.tag'] === 'string') {
    const t: string = cur['.tag'];
    parts.push(t);
    const inner: unknown = cur[t];
    if (isUnionValue(inner)) cur = inner;
    else if (inner === undefined) {
      // A plain struct's fields sit next to .tag (e.g. UploadWriteFailed.reason): follow its union.
      cur = Object.entries(cur).find(([k, v]) => k !== '.tag' && isUnionValue(v))?.[1] as
        | Record<string, unknown>
        | undefined;
    } else cur = undefined;
  }
  return `${parts.join('/')}/${'.'.repeat(2 + (salt % 3))}`;
}

/** JSON that is safe in an HTTP header: everything from U+007F up is \uXXXX (as the SDKs send). */
export function headerJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Cut the connection: an RST for resets, a clean FIN for truncation and lost responses. */
export function cutSocket(socket: Socket | null | undefined, reset: boolean): void {
  if (!socket || socket.destroyed) return;
  if (reset) {
    try {
      socket.resetAndDestroy();
      return;
    } catch {
      // TLS sockets have no TCP handle to reset; a plain destroy is the next best thing.
    }
    socket.destroy();
    return;
  }
  socket.end();
  setTimeout(() => socket.destroy(), 1000).unref();
}

export class Reply {
  private counter: number;

  constructor(
    private readonly res: ServerResponse,
    private readonly faults: ActiveFaults,
    private readonly log: RequestLogEntry,
    counter: number,
    /** Response-side reset (download-style routes). */
    private readonly resetResponse: boolean,
  ) {
    this.counter = counter;
  }

  get sent(): boolean {
    return this.res.headersSent || this.res.destroyed || this.res.writableEnded;
  }

  json(status: number, value: unknown, headers: Record<string, string> = {}): Promise<void> {
    const body = Buffer.from(value === undefined ? 'null' : JSON.stringify(value));
    return this.send(status, { ...headers, 'Content-Type': 'application/json' }, body, body.length);
  }

  routeError(err: RouteError): Promise<void> {
    return this.json(err.status, { error_summary: summaryOf(err.error, this.counter), error: err.error });
  }

  text(status: number, message: string, headers: Record<string, string> = {}): Promise<void> {
    const body = Buffer.from(message);
    return this.send(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }, body, body.length);
  }

  html(status: number, page: string): Promise<void> {
    const body = Buffer.from(page);
    return this.send(status, { 'Content-Type': 'text/html; charset=utf-8' }, body, body.length);
  }

  redirect(location: string): Promise<void> {
    return this.send(302, { Location: location }, Buffer.alloc(0), 0);
  }

  /** Send a body (bytes or a stream of exactly `length` bytes), suffering the response faults. */
  async send(
    status: number,
    headers: Record<string, string>,
    body: Buffer | Readable,
    length: number,
    headOnly = false,
  ): Promise<void> {
    const { res, faults } = this;
    const socket = res.socket;
    if (faults.loseResponse) {
      if (!Buffer.isBuffer(body)) body.destroy();
      cutSocket(socket, false);
      return;
    }
    res.writeHead(status, { ...headers, 'Content-Length': String(length) });
    this.log.status = status;
    if (headOnly) {
      if (!Buffer.isBuffer(body)) body.destroy();
      res.end();
      return;
    }
    const cut = faults.truncate ?? (this.resetResponse ? faults.reset : undefined);
    const limit = cut?.afterBytes;
    const bps = faults.throttle?.bytesPerSecond;
    const started = Date.now();
    let sent = 0;
    const chunks: AsyncIterable<Buffer> | Buffer[] = Buffer.isBuffer(body) ? [body] : body;
    try {
      if (limit === 0) {
        // The status line and headers still go out; then the cut.
        res.flushHeaders();
        await new Promise((r) => setImmediate(r));
        throw new CutNow();
      }
      for await (const whole of chunks) {
        const step = bps ? throttleSlice(bps) : whole.length || 1;
        for (let off = 0; off < whole.length; off += step) {
          let piece = whole.subarray(off, off + step);
          if (limit !== undefined && sent + piece.length >= limit) piece = piece.subarray(0, limit - sent);
          sent += piece.length;
          await writeOut(res, piece, limit !== undefined && sent >= limit);
          if (limit !== undefined && sent >= limit) throw new CutNow();
          if (bps) await pace(started, sent, bps);
        }
      }
      res.end();
    } catch (e) {
      if (!Buffer.isBuffer(body)) body.destroy();
      if (e instanceof CutNow) {
        cutSocket(socket, faults.truncate === undefined);
        return;
      }
      if (e instanceof ConnectionCut || res.destroyed) return;
      throw e;
    }
  }
}

class CutNow extends Error {}

/** Write with backpressure; `flushed` waits until the bytes left this process (before a cut). */
function writeOut(res: ServerResponse, chunk: Buffer, flushed: boolean): Promise<void> {
  if (chunk.length === 0) return Promise.resolve();
  if (res.destroyed) return Promise.reject(new ConnectionCut());
  return new Promise((resolve, reject) => {
    const finish = (err?: unknown) => {
      res.off('close', onClose);
      res.off('drain', onDrain);
      if (err) reject(new ConnectionCut());
      else resolve();
    };
    const onClose = () => finish(true);
    const onDrain = () => finish();
    res.once('close', onClose);
    if (flushed) {
      res.write(chunk, (err) => finish(err ?? undefined));
    } else if (res.write(chunk)) {
      finish();
    } else {
      res.once('drain', onDrain);
    }
  });
}

export interface BodyOptions {
  /** Stop handing chunks to onChunk past this many bytes (the rest is drained and counted). */
  limit: number;
  faults: ActiveFaults;
  /** Request-side reset (upload-style routes). */
  resetRequest: boolean;
  onChunk?: (chunk: Buffer) => Promise<void> | void;
}

/** Read a request body as it arrives, suffering the request-side faults. */
export async function readBody(
  req: IncomingMessage,
  opts: BodyOptions,
): Promise<{ bytes: number; tooLarge: boolean }> {
  const reset = opts.resetRequest ? opts.faults.reset : undefined;
  const bps = opts.faults.throttle?.bytesPerSecond;
  const started = Date.now();
  let bytes = 0;
  let tooLarge = false;
  if (reset && reset.afterBytes === 0) {
    cutSocket(req.socket, true);
    throw new ConnectionCut();
  }
  try {
    for await (const raw of req) {
      let chunk = raw as Buffer;
      let cutAfter = false;
      if (reset && bytes + chunk.length >= reset.afterBytes) {
        chunk = chunk.subarray(0, reset.afterBytes - bytes);
        cutAfter = true;
      }
      if (!tooLarge && bytes + chunk.length > opts.limit) tooLarge = true;
      if (!tooLarge && opts.onChunk) await opts.onChunk(chunk);
      bytes += chunk.length;
      if (cutAfter) {
        cutSocket(req.socket, true);
        throw new ConnectionCut();
      }
      if (bps) await pace(started, bytes, bps);
    }
  } catch (e) {
    if (e instanceof ConnectionCut) throw e;
    // The client went away mid-body.
    throw new ConnectionCut();
  }
  if (!req.complete) throw new ConnectionCut();
  return { bytes, tooLarge };
}

/** A small body (RPC JSON, oauth forms), whole. */
export async function readSmallBody(req: IncomingMessage, faults: ActiveFaults, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  const { tooLarge } = await readBody(req, { limit, faults, resetRequest: false, onChunk: (c) => void parts.push(c) });
  if (tooLarge) throw new BadRequest(`request body: too large (over ${limit} bytes)`);
  return Buffer.concat(parts);
}

/** Read and discard whatever is left of the body, so an early answer does not break the client. */
export function drain(req: IncomingMessage): Promise<void> {
  if (req.complete || req.readableEnded || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    req.on('end', resolve);
    req.on('close', resolve);
    req.on('error', () => resolve());
    req.resume();
  });
}
