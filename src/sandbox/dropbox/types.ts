// Public shapes of the Dropbox sandbox: its options, the handle tests hold, and the fault plan.

export interface DropboxSandboxOptions {
  /** Where files, upload sessions and state.json live. Default: a new temp dir, removed on close(). */
  dataDir?: string;
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** A loopback address; default 127.0.0.1. */
  host?: string;
  /** Serve HTTPS (the Python SDK only speaks https). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Lifetime of access tokens; default 14400 (4 h, as Dropbox's short-lived tokens). */
  tokenTtlSeconds?: number;
  /** When set, oauth2 requests must carry this client_id. Otherwise any client_id is accepted. */
  appKey?: string;
  /** list_folder page size when the request names no limit; default 2000. */
  pageSize?: number;
}

export interface IssueTokenOptions {
  /** Default: the sandbox's tokenTtlSeconds. */
  ttlSeconds?: number;
  /** Also mint a refresh token (token_access_type=offline); default true. */
  refresh?: boolean;
  /** Granted scopes; default every scope the sandbox knows. */
  scope?: string[];
  /** The app the tokens belong to; default the sandbox's appKey (or any app). */
  appKey?: string;
}

export interface IssuedToken {
  accessToken: string;
  refreshToken?: string;
  expiresIn: number;
}

export interface ApproveOptions {
  /** The client_id the browser asked for; default the sandbox's appKey (or any app). */
  appKey?: string;
  /** 'S256' (default) or 'plain'. */
  method?: 'S256' | 'plain';
  /** 'offline' (default) returns a refresh token; 'online' does not. */
  tokenAccessType?: 'offline' | 'online' | 'legacy';
  scope?: string[];
  /** Only when the authorize URL carried one; the token request must then repeat it. */
  redirectUri?: string;
}

export interface RequestLogEntry {
  method: string;
  /** URL path without the query string (which may carry secrets). */
  path: string;
  /** 0 when no status line was sent (the connection was cut). */
  status: number;
  /** The fault kinds applied to this request, if any. */
  faults?: string[];
}

/**
 * A fault fires for the nth..(nth+times-1)th requests on `route` counted from when it was added.
 * Routes are named as in the URL without `/2/`: 'files/download', 'files/upload_session/append_v2',
 * 'oauth2/token', 'auth/token/revoke'; 'temporary_link' is a GET of a get_temporary_link URL;
 * '*' matches every request.
 */
export type FaultSpec =
  /**
   * Answer with this status instead. 429 gets Retry-After (default 1) and a JSON RateLimitError
   * body (`reason` default too_many_requests) unless body is 'text'; other statuses get a text body.
   */
  | {
      kind: 'status';
      status: number;
      retryAfter?: number;
      body?: 'json' | 'text';
      reason?: 'too_many_requests' | 'too_many_write_operations';
    }
  /**
   * Reset the TCP connection. Download-style routes: after afterBytes of the response body.
   * Upload-style routes: after afterBytes of the request body were read. Others: on arrival.
   */
  | { kind: 'reset'; afterBytes?: number }
  /** Promise the full Content-Length, send afterBytes of the body, then close cleanly. */
  | { kind: 'truncate'; afterBytes: number }
  /** Limit the body (response for downloads and RPC, request for uploads) to bytesPerSecond. */
  | { kind: 'throttle'; bytesPerSecond: number }
  /** The request's access token expires just before it is checked: 401 expired_access_token. */
  | { kind: 'expire-token' }
  /** Do the work, then close the connection instead of answering (a lost response). */
  | { kind: 'lose-response' };

export type FaultRule = FaultSpec & { route: string; nth?: number; times?: number };

export interface FaultPlan {
  /** Returns an id for remove() and firedCount(). */
  add(rule: FaultRule): number;
  remove(id: number): void;
  clear(): void;
  /** How many requests this rule has hit so far. */
  firedCount(id: number): number;
  /** Every fault applied, in order. */
  readonly fired: ReadonlyArray<{ id: number; route: string; kind: FaultSpec['kind'] }>;
}

export interface SeededFile {
  path_display: string;
  path_lower: string;
  id: string;
  rev: string;
  size: number;
  content_hash: string;
}

export interface DropboxSandbox {
  /** e.g. http://127.0.0.1:PORT; api, content and oauth paths all live here. */
  url: string;
  port: number;
  dataDir: string;
  close(): Promise<void>;
  issueToken(opts?: IssueTokenOptions): IssuedToken;
  faults: FaultPlan;
  requests: RequestLogEntry[];
  /** The user clicks Allow on the authorize page; returns the code Dropbox would show them. */
  approveAuthorization(codeChallenge: string, opts?: ApproveOptions): string;
  /** Every access token issued so far now gets 401 expired_access_token; refresh tokens still work. */
  expireAllTokens(): void;
  /**
   * Put a file at a Dropbox path (parents created, an existing file replaced). `content` is the
   * bytes, or a string naming a local file to copy (streamed).
   */
  seed(path: string, content: Uint8Array | string): Promise<SeededFile>;
}
