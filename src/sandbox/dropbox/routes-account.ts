// users/*, auth/token/revoke and sharing/* (§2, §4).
import { randomBytes } from 'node:crypto';
import { ArgReader, PATTERN } from './args.js';
import type { Call, SandboxCore } from './context.js';
import { ALLOCATION_BYTES, currentAccount, sharedLinkMetadata, type LinkRecord } from './metadata.js';
import { ROOT } from './store.js';
import { nested, RouteError, tag } from './wire.js';
import { find } from './routes-files.js';

export async function getCurrentAccount(_core: SandboxCore, call: Call): Promise<void> {
  await call.reply.json(200, currentAccount());
}

export async function getSpaceUsage(core: SandboxCore, call: Call): Promise<void> {
  await call.reply.json(200, {
    used: core.store.usedBytes(),
    allocation: { '.tag': 'individual', allocated: ALLOCATION_BYTES },
  });
}

export async function revokeToken(core: SandboxCore, call: Call): Promise<void> {
  core.tokens.revoke(call.accessToken);
  await call.reply.json(200, null);
}

const SETTINGS_FIELDS = [
  'require_password',
  'link_password',
  'expires',
  'audience',
  'access',
  'requested_visibility',
  'allow_download',
];

export async function createSharedLink(core: SandboxCore, call: Call): Promise<void> {
  const r = new ArgReader(call.arg, call.where, ['path', 'settings']);
  const path = r.reqStr('path', { pattern: PATTERN.readPath });
  const s = r.struct('settings', SETTINGS_FIELDS);
  const audience = s?.union('audience', ['public', 'team', 'no_one', 'password', 'members', 'other'])?.tag;
  const access = s?.union('access', ['viewer', 'editor', 'max', 'default'])?.tag;
  const visibility = s?.union('requested_visibility', ['public', 'team_only', 'password'])?.tag;
  const expires = s?.timestamp('expires');
  const wantsPassword = s?.bool('require_password', false) || s?.str('link_password', {}) !== undefined;
  const allowDownload = s?.bool('allow_download', true) ?? true;
  const found = find(core, path);
  if (found === ROOT) throw new RouteError(tag('access_denied'));
  // A Basic account may not set expiry, passwords or team-only audiences.
  const restricted =
    expires !== undefined ||
    wantsPassword ||
    ['team', 'password', 'members'].includes(audience ?? '') ||
    ['team_only', 'password'].includes(visibility ?? '');
  if (restricted) throw new RouteError(nested('settings_error', tag('not_authorized')));
  const existing = core.store.link(found.id);
  if (existing) {
    throw new RouteError(
      nested('shared_link_already_exists', nested('metadata', sharedLinkMetadata(existing, found))),
    );
  }
  const kind = found.tag === 'file' ? 'fi' : 'fo';
  const link: LinkRecord = {
    entryId: found.id,
    url: `https://www.dropbox.com/scl/${kind}/${randomBytes(12).toString('base64url').toLowerCase()}/${encodeURIComponent(found.name)}?rlkey=${randomBytes(18).toString('base64url').toLowerCase()}&dl=0`,
    audience: audience ?? 'public',
    access: access ?? 'viewer',
    allowDownload,
  };
  core.store.addLink(link);
  await call.reply.json(200, sharedLinkMetadata(link, found));
}

export async function listSharedLinks(core: SandboxCore, call: Call): Promise<void> {
  const r = new ArgReader(call.arg, call.where, ['path', 'cursor', 'direct_only']);
  const path = r.str('path', { pattern: PATTERN.readPath });
  const cursor = r.str('cursor', {});
  const directOnly = r.bool('direct_only', false);
  const all = core.store.allLinks();
  if (path !== undefined) {
    const found = find(core, path);
    const links = all.filter(({ entry }) => {
      if (found === ROOT) return !directOnly;
      if (entry.id === found.id) return true;
      return !directOnly && found.pathLower.startsWith(`${entry.pathLower}/`);
    });
    await call.reply.json(200, { links: links.map((x) => sharedLinkMetadata(x.link, x.entry)), has_more: false });
    return;
  }
  // Every link fits one page here, so a cursor only ever says "nothing more".
  if (cursor !== undefined && cursor !== 'AAEnd') throw new RouteError(tag('reset'));
  const links = cursor === undefined ? all : [];
  await call.reply.json(200, {
    links: links.map((x) => sharedLinkMetadata(x.link, x.entry)),
    has_more: false,
    cursor: 'AAEnd',
  });
}
