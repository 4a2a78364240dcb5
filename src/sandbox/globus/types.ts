// Public shapes of the Globus sandbox: endpoint specs, the identity it logs in, the request log.

export type EntityType =
  | 'GCSv5_endpoint'
  | 'GCSv5_mapped_collection'
  | 'GCSv5_guest_collection'
  | 'GCP_mapped_collection'
  | 'GCP_guest_collection'
  | 'GCSv4_host'
  | 'GCSv4_share';

/** endpoint_search scopes an endpoint is listed in by declaration ("all" covers every endpoint). */
export type SearchScope =
  | 'my-endpoints'
  | 'my-gcp-endpoints'
  | 'recently-used'
  | 'in-use'
  | 'shared-by-me'
  | 'shared-with-me'
  | 'administered-by-me';

export interface SandboxEndpointSpec {
  id: string;
  display_name: string;
  entity_type: EntityType;
  /** Defaults to the sandbox user's username when the endpoint is in 'my-endpoints'. */
  owner_string?: string;
  owner_id?: string;
  description?: string | null;
  organization?: string | null;
  department?: string | null;
  /** Extra words endpoint_search's full text matches. */
  keywords?: string | null;
  gcs_version?: string | null;
  /** GCP only; default true. A disconnected GCP endpoint fails ls/mkdir and stalls tasks. */
  gcp_connected?: boolean;
  gcp_paused?: boolean;
  high_assurance?: boolean;
  /** A GCSv5 mapped collection that needs a data_access consent. Default: entity_type is
   * GCSv5_mapped_collection and not high_assurance (as globus-cli decides). */
  requiresConsent?: boolean;
  subscription_id?: string | null;
  host_endpoint_id?: string | null;
  mapped_collection_id?: string | null;
  public?: boolean;
  non_functional?: boolean;
  /** Folder on disk that is this endpoint's "/". Default <dataDir>/endpoints/<id>. */
  root?: string;
  /** What "/~/" means, as an endpoint path. Default "/home/<localUser>/" ("/" for guest collections). */
  home?: string;
  /** The account files appear to belong to in listings. Default "sandbox". */
  localUser?: string;
  /** Default "/~/" ; null for GCSv4-style endpoints without one. */
  default_directory?: string | null;
  scopes?: SearchScope[];
  /** Default true. A read-only endpoint refuses mkdir and leaves tasks writing to it stuck. */
  writable?: boolean;
  my_effective_roles?: string[];
}

/** A spec with every default filled in, as the sandbox uses it. */
export interface SandboxEndpoint {
  id: string;
  display_name: string;
  entity_type: EntityType;
  owner_string: string;
  owner_id: string;
  description: string | null;
  organization: string | null;
  department: string | null;
  keywords: string | null;
  gcs_version: string | null;
  gcp_connected: boolean | null;
  gcp_paused: boolean | null;
  high_assurance: boolean;
  requiresConsent: boolean;
  subscription_id: string | null;
  host_endpoint_id: string | null;
  mapped_collection_id: string | null;
  public: boolean;
  non_functional: boolean;
  root: string;
  home: string;
  localUser: string;
  default_directory: string | null;
  scopes: SearchScope[];
  writable: boolean;
  my_effective_roles: string[];
}

export interface SandboxIdentity {
  id: string;
  username: string;
  name: string;
  email: string;
  organization: string;
}

export interface SandboxRequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** Milliseconds spent answering. */
  ms: number;
}

/** What approveAuthorization needs: the query of the authorize URL the user opened. */
export interface AuthorizationParams {
  client_id: string;
  code_challenge: string;
  code_challenge_method?: string;
  scope: string;
  redirect_uri: string;
  access_type?: string;
  state?: string;
}

/** A fatal task error, as Transfer reports it in `fatal_error`. */
export interface TaskFailure {
  code: string;
  description?: string;
}
