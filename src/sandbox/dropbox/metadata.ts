// The JSON documents Dropbox returns for the account, files, folders and shared links (§4).
// Results declared as a subtype (FileMetadata from upload/download) carry no ".tag"; Metadata and
// SharedLinkMetadata do.

export const NAMESPACE_ID = '3235641';
/** Exactly 40 characters, as the Python SDK insists. */
export const ACCOUNT_ID = 'dbid:AABsrEgSaNdBoX0kZQ3x7Lm9pT2vWc4yHnE';
export const UID = '271828182';

export interface FileEntry {
  tag: 'file';
  id: string;
  name: string;
  pathLower: string;
  pathDisplay: string;
  rev: string;
  size: number;
  clientModified: string;
  serverModified: string;
  contentHash: string;
  /** File name under dataDir/blobs. */
  blob: string;
}

export interface FolderEntry {
  tag: 'folder';
  id: string;
  name: string;
  pathLower: string;
  pathDisplay: string;
}

export type Entry = FileEntry | FolderEntry;

export interface DeletedEntry {
  tag: 'deleted';
  name: string;
  pathLower: string;
  pathDisplay: string;
}

export interface LinkRecord {
  entryId: string;
  url: string;
  audience: string;
  access: string;
  allowDownload: boolean;
}

/** Dropbox's timestamp format: no fraction, always Z. */
export function dropboxTime(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function fileMetadata(e: FileEntry, withTag: boolean): Record<string, unknown> {
  return {
    ...(withTag ? { '.tag': 'file' } : {}),
    name: e.name,
    path_lower: e.pathLower,
    path_display: e.pathDisplay,
    id: e.id,
    client_modified: e.clientModified,
    server_modified: e.serverModified,
    rev: e.rev,
    size: e.size,
    is_downloadable: true,
    content_hash: e.contentHash,
  };
}

export function folderMetadata(e: FolderEntry, withTag: boolean): Record<string, unknown> {
  return {
    ...(withTag ? { '.tag': 'folder' } : {}),
    name: e.name,
    path_lower: e.pathLower,
    path_display: e.pathDisplay,
    id: e.id,
  };
}

/** A `Metadata` (polymorphic): always tagged. */
export function metadata(e: Entry | DeletedEntry): Record<string, unknown> {
  if (e.tag === 'file') return fileMetadata(e, true);
  if (e.tag === 'folder') return folderMetadata(e, true);
  return { '.tag': 'deleted', name: e.name, path_lower: e.pathLower, path_display: e.pathDisplay };
}

function visibilityPolicy(policy: string, allowed: boolean, reason?: string): Record<string, unknown> {
  return {
    policy: { '.tag': policy },
    resolved_policy: { '.tag': policy },
    allowed,
    ...(reason ? { disallowed_reason: { '.tag': reason } } : {}),
  };
}

export function sharedLinkMetadata(link: LinkRecord, e: Entry): Record<string, unknown> {
  const audience = { '.tag': link.audience };
  const base = {
    '.tag': e.tag,
    url: link.url,
    id: e.id,
    name: e.name,
    path_lower: e.pathLower,
    link_permissions: {
      resolved_visibility: { '.tag': link.audience === 'no_one' ? 'no_one' : 'public' },
      requested_visibility: { '.tag': 'public' },
      can_revoke: true,
      visibility_policies: [
        visibilityPolicy('public', true),
        visibilityPolicy('team_only', false, 'user_not_on_team'),
        visibilityPolicy('password', false, 'user_account_type'),
      ],
      can_set_expiry: false,
      can_remove_expiry: true,
      allow_download: link.allowDownload,
      can_allow_download: true,
      can_disallow_download: false,
      allow_comments: true,
      team_restricts_comments: false,
      audience_options: [
        { audience: { '.tag': 'public' }, allowed: true },
        { audience: { '.tag': 'team' }, allowed: false, disallowed_reason: { '.tag': 'user_not_on_team' } },
        { audience: { '.tag': 'no_one' }, allowed: true },
      ],
      can_set_password: false,
      can_remove_password: true,
      require_password: false,
      can_use_extended_sharing_controls: false,
      effective_audience: audience,
      link_access_level: { '.tag': link.access === 'editor' ? 'editor' : 'viewer' },
    },
  };
  if (e.tag === 'folder') return base;
  return {
    ...base,
    client_modified: e.clientModified,
    server_modified: e.serverModified,
    rev: e.rev,
    size: e.size,
  };
}

export function currentAccount(): Record<string, unknown> {
  return {
    account_id: ACCOUNT_ID,
    name: {
      given_name: 'Sandra',
      surname: 'Box',
      familiar_name: 'Sandra',
      display_name: 'Sandra Box',
      abbreviated_name: 'SB',
    },
    email: 'sandbox@example.com',
    email_verified: true,
    disabled: false,
    country: 'US',
    locale: 'en',
    referral_link: 'https://db.tt/sregsandbox',
    is_paired: false,
    account_type: { '.tag': 'basic' },
    root_info: { '.tag': 'user', root_namespace_id: NAMESPACE_ID, home_namespace_id: NAMESPACE_ID },
  };
}

export const ALLOCATION_BYTES = 2 * 1024 ** 3;
