// The interface every remote implements. Screens and commands only see this, never an SDK.

export type BackendKind = 'dropbox' | 'globus' | 'registry';

export interface BackendStatus {
  loggedIn: boolean;
  /** Whom we are logged in as (display name, email or account id). */
  who?: string;
  /** One line for the Home screen: expiry, sandbox, where the token came from... */
  detail?: string;
}

export interface RemoteEntry {
  name: string;
  /** The backend's address of this entry, usable with list() (folders) or pull (files). */
  location: string;
  kind: 'file' | 'dir' | 'other';
  size?: number;
  /** ISO time */
  modified?: string;
  /** Looks like a container image (.sif, .simg, .img). */
  isImage: boolean;
  linkTarget?: string;
  permissions?: string;
}

export interface Listing {
  location: string;
  /** Where Backspace goes; undefined at the root. */
  parent?: string;
  /** Human path for the breadcrumb. */
  breadcrumb: string;
  entries: RemoteEntry[];
}

export interface LoginStart {
  /** URL the user opens in a browser (absent for a token-paste flow). */
  url?: string;
  /** Step-by-step text for the Auth screen and the CLI. */
  instructions: string[];
  /** What the user pastes back. */
  expects: 'code' | 'token';
  /** Sandbox mode only: the code the fake service shows once approved (the TUI pre-fills it). */
  sandboxCode?: string;
}

export interface LoginFlow {
  start(): Promise<LoginStart>;
  /** Exchanges what the user pasted; stores tokens; returns who logged in. */
  finish(pasted: string): Promise<{ who: string }>;
}

export interface RemoteBackend extends TransferPlanner {
  readonly kind: BackendKind;
  readonly title: string;
  status(): Promise<BackendStatus>;
  /** A guided login; `options.token` selects the paste-a-token flow where the backend has one. */
  login(options?: { token?: boolean; scopes?: string[] }): LoginFlow;
  logout(): Promise<void>;
  /** The starting location for browsing. */
  home(): Promise<string>;
  list(location: string, options?: { showHidden?: boolean; signal?: AbortSignal }): Promise<Listing>;
  share?(location: string): Promise<string>;
  remove?(location: string): Promise<void>;
  mkdir?(location: string): Promise<void>;
}

export const IMAGE_EXTENSIONS = ['.sif', '.simg', '.img'];

export function looksLikeImage(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((e) => lower.endsWith(e));
}

export interface SearchHit {
  kind: 'image' | 'collection' | 'endpoint' | 'file' | 'dir';
  title: string;
  /** Address to open (endpoint, folder) or pull (image). */
  location: string;
  detail?: string;
  /** Extra columns for --json and the TUI (owner, id, connected, gcs version, scope...). */
  fields?: Record<string, unknown>;
}

export interface PullPlan {
  /** Canonical remote address of the file. */
  source: string;
  /** Library name it will get: collection/name:tag. */
  imageName: string;
  bytesTotal?: number;
  options?: Record<string, unknown>;
}

export interface PushPlan {
  /** Canonical remote address it will get. */
  destination: string;
  /** Library name (collection/name:tag) a pushed file that is not in the library is added under, when the remote address implies one. */
  imageName?: string;
  bytesTotal?: number;
  options?: Record<string, unknown>;
}

/** What push/pull need besides RemoteBackend; each backend module implements both. */
export interface TransferPlanner {
  search?(query: string, options?: { scope?: string; signal?: AbortSignal }): Promise<SearchHit[]>;
  planPull(remote: string, options: { name?: string }): Promise<PullPlan>;
  planPush(local: { path: string; imageName: string }, remote: string): Promise<PushPlan>;
}
