// The sandbox's endpoints: each one is a folder on disk, described by the same endpoint document
// Transfer returns, and found by endpoint_search the way Transfer finds them.
import { mkdirSync, realpathSync } from 'node:fs';
import { join, posix, resolve, sep } from 'node:path';
import { badRequest } from './errors.js';
import type { SandboxEndpoint, SandboxEndpointSpec, SandboxIdentity, SearchScope } from './types.js';

const SCOPES = new Set([
  'all',
  'my-endpoints',
  'my-gcp-endpoints',
  'recently-used',
  'in-use',
  'shared-by-me',
  'shared-with-me',
  'administered-by-me',
  'hide-no-permissions',
]);

export function dataAccessScope(endpointId: string): string {
  return `https://auth.globus.org/scopes/${endpointId}/data_access`;
}

export const TRANSFER_SCOPE = 'urn:globus:auth:scope:transfer.api.globus.org:all';

/** The scope string a ConsentRequired error asks for: transfer with these data_access dependents. */
export function transferScopeWith(endpointIds: string[]): string {
  return `${TRANSFER_SCOPE}[${endpointIds.map((id) => `*${dataAccessScope(id)}`).join(' ')}]`;
}

function isGcp(type: string): boolean {
  return type === 'GCP_mapped_collection' || type === 'GCP_guest_collection';
}

function withSlashes(p: string): string {
  let out = p.startsWith('/') ? p : `/${p}`;
  if (!out.endsWith('/')) out += '/';
  return out;
}

/** Where a client's path lands: on the endpoint (virtual) and on disk. */
export interface ResolvedPath {
  /** Normalised absolute endpoint path, no trailing slash except for "/". */
  virtual: string;
  disk: string;
  /** The resolved path when the request used "~", else null (as ls reports absolute_path). */
  absolutePath: string | null;
}

export class EndpointRegistry {
  private readonly byId = new Map<string, SandboxEndpoint>();
  /** Endpoints the user touched (ls, mkdir, transfer): Transfer adds them to "recently-used". */
  readonly recentlyUsed = new Set<string>();

  constructor(
    private readonly dataDir: string,
    private readonly user: SandboxIdentity,
  ) {}

  add(spec: SandboxEndpointSpec): SandboxEndpoint {
    const scopes = spec.scopes ?? [];
    const mine = scopes.includes('my-endpoints') || spec.owner_id === this.user.id;
    const guest = spec.entity_type.endsWith('guest_collection') || spec.entity_type === 'GCSv4_share';
    const localUser = spec.localUser ?? 'sandbox';
    const ep: SandboxEndpoint = {
      id: spec.id.toLowerCase(),
      display_name: spec.display_name,
      entity_type: spec.entity_type,
      owner_id: spec.owner_id ?? (mine ? this.user.id : '6cc4b0a2-0e1f-4d4f-9d1a-5f0e5b2f5c11'),
      owner_string: spec.owner_string ?? (mine ? this.user.username : 'someone@globusid.org'),
      description: spec.description ?? null,
      organization: spec.organization ?? null,
      department: spec.department ?? null,
      keywords: spec.keywords ?? null,
      gcs_version: spec.gcs_version ?? (spec.entity_type.startsWith('GCSv5') ? '5.4.79' : null),
      gcp_connected: isGcp(spec.entity_type) ? (spec.gcp_connected ?? true) : null,
      gcp_paused: isGcp(spec.entity_type) ? (spec.gcp_paused ?? false) : null,
      high_assurance: spec.high_assurance ?? false,
      requiresConsent:
        spec.requiresConsent ?? (spec.entity_type === 'GCSv5_mapped_collection' && !spec.high_assurance),
      subscription_id: spec.subscription_id ?? null,
      host_endpoint_id: spec.host_endpoint_id ?? null,
      mapped_collection_id: spec.mapped_collection_id ?? null,
      public: spec.public ?? !isGcp(spec.entity_type),
      non_functional: spec.non_functional ?? spec.entity_type === 'GCSv5_endpoint',
      root: resolve(spec.root ?? join(this.dataDir, 'endpoints', spec.id.toLowerCase())),
      home: withSlashes(spec.home ?? (guest ? '/' : `/home/${localUser}/`)),
      localUser,
      default_directory: spec.default_directory === undefined ? '/~/' : spec.default_directory,
      scopes,
      writable: spec.writable ?? true,
      my_effective_roles: spec.my_effective_roles ?? (mine ? ['administrator'] : []),
    };
    mkdirSync(join(ep.root, ...ep.home.split('/').filter(Boolean)), { recursive: true });
    this.byId.set(ep.id, ep);
    return ep;
  }

  get(id: string): SandboxEndpoint | undefined {
    return this.byId.get(id.toLowerCase());
  }

  list(): SandboxEndpoint[] {
    return [...this.byId.values()];
  }

  /** Turns a request path ("/~/x", "~/x", "x", "/data/x") into endpoint and disk paths. */
  resolvePath(ep: SandboxEndpoint, raw: string): ResolvedPath {
    let p = raw.trim();
    let viaHome = false;
    if (p === '~' || p.startsWith('~/')) p = `/${p}`;
    if (p === '/~' || p.startsWith('/~/')) {
      viaHome = true;
      p = ep.home + p.slice(2);
    } else if (!p.startsWith('/')) {
      // Relative paths are relative to the home directory, as on a GridFTP login.
      viaHome = true;
      p = ep.home + p;
    }
    const virtual = posix.normalize(p).replace(/(.)\/+$/, '$1');
    const parts = virtual.split('/').filter((s) => s && s !== '..' && s !== '.');
    const disk = parts.length ? join(ep.root, ...parts) : ep.root;
    if (disk !== ep.root && !disk.startsWith(ep.root + sep)) throw new Error('path escapes endpoint root');
    return { virtual: `/${parts.join('/')}`, disk, absolutePath: viaHome ? withSlashes(`/${parts.join('/')}`) : null };
  }

  /** False when symlinks lead `disk` out of the endpoint's folder (or it does not exist). */
  contains(ep: SandboxEndpoint, disk: string): boolean {
    try {
      const root = realpathSync(ep.root);
      const real = realpathSync(disk);
      return real === root || real.startsWith(root + sep);
    } catch {
      return false;
    }
  }

  /** The endpoint path of a file on disk, or null when it lies outside the endpoint. */
  toVirtual(ep: SandboxEndpoint, disk: string): string | null {
    const abs = resolve(disk);
    if (abs === ep.root) return '/';
    if (!abs.startsWith(ep.root + sep)) return null;
    return '/' + abs.slice(ep.root.length + 1).split(sep).join('/');
  }

  /** Endpoint document as GET /endpoint/{id} and endpoint_search return it. */
  doc(ep: SandboxEndpoint, inUse: boolean): Record<string, unknown> {
    const gcp = isGcp(ep.entity_type);
    const v5 = ep.entity_type.startsWith('GCSv5');
    const host = `${ep.id.slice(0, 6)}.sandbox.data.globus.org`;
    return {
      DATA_TYPE: 'endpoint',
      id: ep.id,
      display_name: ep.display_name,
      canonical_name: null,
      name: null,
      username: null,
      owner_id: ep.owner_id,
      owner_string: ep.owner_string,
      description: ep.description,
      organization: ep.organization,
      department: ep.department,
      keywords: ep.keywords,
      contact_email: null,
      contact_info: null,
      info_link: null,
      entity_type: ep.entity_type,
      is_globus_connect: gcp,
      globus_connect_setup_key: null,
      gcp_connected: ep.gcp_connected,
      gcp_paused: ep.gcp_paused,
      gcs_version: ep.gcs_version,
      gcs_manager_url: v5 ? `https://${host}` : null,
      https_server: v5 ? `https://g-${host}` : null,
      tlsftp_server: v5 ? `tlsftp://${host}:443` : null,
      high_assurance: ep.high_assurance,
      authentication_assurance_timeout: null,
      authentication_timeout_mins: null,
      mfa_required: false,
      non_functional: ep.non_functional,
      non_functional_endpoint_display_name: null,
      non_functional_endpoint_id: null,
      host_endpoint: null,
      host_endpoint_display_name: null,
      host_endpoint_id: ep.host_endpoint_id,
      host_path: null,
      mapped_collection_id: ep.mapped_collection_id,
      mapped_collection_display_name: null,
      default_directory: ep.default_directory,
      subscription_id: ep.subscription_id,
      my_effective_roles: ep.my_effective_roles,
      public: ep.public,
      shareable: !ep.entity_type.endsWith('guest_collection'),
      acl_available: ep.entity_type.endsWith('guest_collection'),
      acl_editable: false,
      in_use: inUse,
      local_user_info_available: v5,
      force_encryption: false,
      force_verify: false,
      disable_verify: false,
      activated: true,
      expires_in: -1,
      expire_time: null,
      myproxy_server: null,
      myproxy_dn: null,
      oauth_server: null,
      location: null,
      network_use: 'normal',
      max_concurrency: null,
      max_parallelism: null,
      preferred_concurrency: null,
      preferred_parallelism: null,
      storage_type: null,
      user_message: null,
      user_message_link: null,
      DATA: [
        gcp
          ? { DATA_TYPE: 'server', id: 1, hostname: 'relay.globusonline.org', uri: 'gsiftp://relay.globusonline.org:2811', port: 2811, scheme: 'gsiftp', subject: null, is_connected: ep.gcp_connected, is_paused: ep.gcp_paused, incoming_data_port_start: null, incoming_data_port_end: null, outgoing_data_port_start: null, outgoing_data_port_end: null }
          : { DATA_TYPE: 'server', id: 1, hostname: host, uri: `gsiftp://${host}:443`, port: 443, scheme: 'gsiftp', subject: null, is_connected: true, is_paused: false, incoming_data_port_start: 50000, incoming_data_port_end: 51000, outgoing_data_port_start: 50000, outgoing_data_port_end: 51000 },
      ],
    };
  }

  /** GET /endpoint_search, with the validation Transfer applies. */
  search(q: Record<string, string>, inUse: Set<string>, resource: string): Record<string, unknown> {
    const scope = q.filter_scope || 'all';
    if (!SCOPES.has(scope)) throw badRequest(`Invalid filter_scope '${scope}'`, resource);
    const text = (q.filter_fulltext ?? '').trim();
    if ((scope === 'all' || scope === 'hide-no-permissions') && !text) {
      throw badRequest(`filter_fulltext is required when filter_scope is '${scope}'`, resource);
    }
    if (q.filter_non_functional !== undefined && q.filter_entity_type !== undefined) {
      throw badRequest('filter_non_functional and filter_entity_type are mutually exclusive', resource);
    }
    const limit = q.limit === undefined ? 25 : Number(q.limit);
    const offset = q.offset === undefined ? 0 : Number(q.offset);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw badRequest('limit must be between 1 and 100', resource);
    if (!Number.isInteger(offset) || offset < 0) throw badRequest('offset must be a non-negative integer', resource);
    if (offset + limit > 1000) throw badRequest('offset + limit must be <= 1000', resource);

    const words = text.toLowerCase().split(/[^a-z0-9#@._-]+/).filter(Boolean);
    const hits: Array<{ ep: SandboxEndpoint; rank: number }> = [];
    for (const ep of this.list()) {
      if (!this.inScope(ep, scope, inUse)) continue;
      if (q.filter_owner_id && ep.owner_id !== q.filter_owner_id) continue;
      if (q.filter_host_endpoint && ep.host_endpoint_id !== q.filter_host_endpoint) continue;
      if (q.filter_entity_type && ep.entity_type !== q.filter_entity_type) continue;
      if (q.filter_non_functional !== undefined && ep.non_functional !== ['1', 'true'].includes(q.filter_non_functional)) continue;
      const rank = words.length ? rankOf(ep, words) : 1;
      if (rank > 0) hits.push({ ep, rank });
    }
    hits.sort((a, b) => b.rank - a.rank || a.ep.display_name.localeCompare(b.ep.display_name));
    const page = hits.slice(offset, offset + limit);
    return {
      DATA_TYPE: 'endpoint_list',
      limit,
      offset,
      has_next_page: offset + limit < Math.min(hits.length, 1000),
      DATA: page.map(({ ep, rank }) => ({ ...this.doc(ep, inUse.has(ep.id)), _rank: rank })),
    };
  }

  private inScope(ep: SandboxEndpoint, scope: string, inUse: Set<string>): boolean {
    const mine = ep.owner_id === this.user.id || ep.scopes.includes('my-endpoints');
    switch (scope) {
      case 'all':
      case 'hide-no-permissions':
        return true;
      case 'my-endpoints':
        return mine;
      case 'my-gcp-endpoints':
        return mine && ep.gcp_connected !== null;
      case 'administered-by-me':
        return mine || ep.scopes.includes('administered-by-me') || ep.my_effective_roles.includes('administrator');
      case 'shared-by-me':
        return (mine && ep.entity_type.endsWith('guest_collection')) || ep.scopes.includes('shared-by-me');
      case 'recently-used':
        return ep.scopes.includes('recently-used') || this.recentlyUsed.has(ep.id);
      case 'in-use':
        return inUse.has(ep.id) || ep.scopes.includes('in-use');
      default:
        return ep.scopes.includes(scope as SearchScope);
    }
  }
}

/** Every query word must prefix a word of the endpoint's text; the display name weighs most. */
function rankOf(ep: SandboxEndpoint, words: string[]): number {
  const split = (s: string | null) => (s ?? '').toLowerCase().split(/[^a-z0-9#@._-]+/).filter(Boolean);
  const name = split(ep.display_name);
  const rest = [ep.description, ep.organization, ep.department, ep.keywords, ep.owner_string]
    .flatMap(split)
    .concat(ep.id);
  let rank = 0;
  for (const w of words) {
    if (name.some((t) => t.startsWith(w))) rank += 1;
    else if (rest.some((t) => t.startsWith(w))) rank += 0.5;
    else return 0;
  }
  return Math.round((rank / words.length) * 1e6) / 1e6;
}
