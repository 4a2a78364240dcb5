// The Globus Auth + Transfer v0.10 sandbox: a loopback fake for tests and `sreg --sandbox`.
export { startGlobusSandbox, type GlobusSandbox, type GlobusSandboxOptions } from './globus/server.js';
export {
  seedGlobusSandbox,
  defaultSandboxEndpoints,
  SANDBOX_LAPTOP_ID,
  SANDBOX_HPC_ID,
  SANDBOX_LAB_ID,
  SANDBOX_OFFLINE_ID,
} from './globus/seed.js';
export { dataAccessScope, transferScopeWith, TRANSFER_SCOPE } from './globus/endpoints.js';
export type {
  AuthorizationParams,
  EntityType,
  SandboxEndpoint,
  SandboxEndpointSpec,
  SandboxIdentity,
  SandboxRequestLogEntry,
  SearchScope,
  TaskFailure,
} from './globus/types.js';
