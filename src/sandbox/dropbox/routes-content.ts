// Bytes out: files/download (Range, Dropbox-API-Result), files/get_temporary_link and the GET of
// the link it returns. Files are streamed from disk, never read whole.
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { ArgReader, PATTERN } from './args.js';
import type { Call, SandboxCore } from './context.js';
import { fileMetadata, type FileEntry } from './metadata.js';
import { ROOT } from './store.js';
import { headerJson, nested, RouteError, tag, type Reply } from './wire.js';
import { find } from './routes-files.js';

const TEMP_LINK_TTL_MS = 4 * 3600 * 1000;

type Range = { start: number; end: number } | 'unsatisfiable' | undefined;

/** A single `bytes=a-b`, `bytes=a-` or `bytes=-n` range; anything else is ignored (200). */
export function parseRange(header: string | undefined, size: number): Range {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || (m[2] !== '' && Number(m[2]) < start)) return 'unsatisfiable';
  return { start, end };
}

/** Stream a stored file, whole or a Range of it. */
async function sendFile(
  core: SandboxCore,
  req: IncomingMessage,
  reply: Reply,
  e: FileEntry,
  headers: Record<string, string>,
): Promise<void> {
  const range = parseRange(req.headers.range, e.size);
  if (range === 'unsatisfiable') {
    await reply.text(416, 'Requested Range Not Satisfiable', { 'Content-Range': `bytes */${e.size}` });
    return;
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? e.size - 1;
  const length = end - start + 1;
  const h: Record<string, string> = { ...headers, 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes' };
  if (range) h['Content-Range'] = `bytes ${start}-${end}/${e.size}`;
  const status = range ? 206 : 200;
  const headOnly = req.method === 'HEAD';
  if (length <= 0 || headOnly) {
    await reply.send(status, h, Buffer.alloc(0), Math.max(0, length), headOnly);
    return;
  }
  // Open before answering: an overwrite may unlink the blob, and an open file survives that.
  const fh = await open(core.store.blobPath(e), 'r');
  await reply.send(status, h, fh.createReadStream({ start, end }), length);
}

export async function download(core: SandboxCore, call: Call): Promise<void> {
  const r = new ArgReader(call.arg, call.where, ['path', 'rev']);
  const path = r.reqStr('path', { pattern: PATTERN.readPath });
  const rev = r.str('rev', { min: 9, pattern: PATTERN.rev });
  const found = find(core, rev !== undefined ? `rev:${rev}` : path);
  if (found === ROOT || found.tag !== 'file') throw new RouteError(nested('path', tag('not_file')));
  await sendFile(core, call.req, call.reply, found, { 'Dropbox-API-Result': headerJson(fileMetadata(found, false)) });
}

export async function getTemporaryLink(core: SandboxCore, call: Call): Promise<void> {
  const r = new ArgReader(call.arg, call.where, ['path']);
  const found = find(core, r.reqStr('path', { pattern: PATTERN.readPath }));
  if (found === ROOT || found.tag !== 'file') throw new RouteError(nested('path', tag('not_file')));
  const token = randomBytes(24).toString('base64url');
  core.tempLinks.set(token, { entryId: found.id, rev: found.rev, expiresAt: Date.now() + TEMP_LINK_TTL_MS });
  const link = `${core.baseUrl}/cd/0/get/${token}/file?dl=1`;
  await call.reply.json(200, { metadata: fileMetadata(found, false), link });
}

/** GET (or HEAD) of a temporary link: no auth; gone once expired or the file changed. */
export async function serveTemporaryLink(
  core: SandboxCore,
  req: IncomingMessage,
  reply: Reply,
  path: string,
): Promise<void> {
  const token = /^\/cd\/0\/get\/([^/]+)/.exec(path)?.[1] ?? '';
  const link = core.tempLinks.get(token);
  const entry = link ? core.store.findById(link.entryId) : undefined;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    await reply.text(405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
    return;
  }
  if (!link || Date.now() > link.expiresAt || !entry || entry.tag !== 'file' || entry.rev !== link.rev) {
    await reply.text(410, 'This link has expired.');
    return;
  }
  await sendFile(core, req, reply, entry, {
    'Content-Disposition': `attachment; filename="${entry.name.replace(/[^\x20-\x7e]|"/g, '_')}"`,
  });
}
