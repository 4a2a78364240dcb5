// The endpoints `sreg --sandbox` starts with, and the images it puts on them.
import { copyFileSync, existsSync, lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { SandboxEndpoint, SandboxEndpointSpec } from './types.js';

export const SANDBOX_LAPTOP_ID = 'c5f1a7a2-5b3e-11ee-8c99-0242ac120002';
export const SANDBOX_HPC_ID = '3f2b8c1e-9d4a-4e6b-8a71-2c5d0e9f1a43';
export const SANDBOX_LAB_ID = '8a1d4e2f-6c7b-4f90-b3a5-7e2d1c0f9b86';
export const SANDBOX_OFFLINE_ID = 'e4b7c2d1-0a9f-4c3e-8d6b-5a1f2e3d4c7b';

export function defaultSandboxEndpoints(): SandboxEndpointSpec[] {
  return [
    {
      id: SANDBOX_LAPTOP_ID,
      display_name: 'sandbox-laptop (this machine)',
      entity_type: 'GCP_mapped_collection',
      description: 'Globus Connect Personal on this computer',
      scopes: ['my-endpoints', 'recently-used'],
      gcp_connected: true,
    },
    {
      id: SANDBOX_HPC_ID,
      display_name: 'Sandbox HPC Scratch',
      entity_type: 'GCSv5_mapped_collection',
      owner_string: 'hpc-admins@sandbox-university.edu',
      organization: 'Sandbox University',
      department: 'Research Computing',
      description: 'Scratch file system of the sandbox cluster',
      keywords: 'hpc,cluster,scratch,sherlock',
      requiresConsent: true,
      subscription_id: '964be8f5-5f9b-11e4-b64e-12313940394d',
      scopes: ['recently-used'],
    },
    {
      id: SANDBOX_LAB_ID,
      display_name: 'Shared Lab Data',
      entity_type: 'GCSv5_guest_collection',
      owner_string: 'pi@sandbox-university.edu',
      organization: 'Sandbox University',
      description: 'Images the lab shares with its members',
      keywords: 'lab,containers,singularity',
      mapped_collection_id: SANDBOX_HPC_ID,
      scopes: ['shared-with-me'],
    },
    {
      id: SANDBOX_OFFLINE_ID,
      display_name: "Colleague's Laptop (offline)",
      entity_type: 'GCP_guest_collection',
      owner_string: 'colleague@globusid.org',
      description: 'A personal endpoint that is not running',
      gcp_connected: false,
      scopes: ['shared-with-me'],
    },
  ];
}

interface Seedable {
  endpoints: readonly SandboxEndpoint[];
  addEndpoint(spec: SandboxEndpointSpec): SandboxEndpoint;
  endpointPath(endpointId: string, path: string): string;
}

function place(from: string | null, to: string, text = ''): void {
  if (existsSync(to)) return;
  mkdirSync(dirname(to), { recursive: true });
  if (from) copyFileSync(from, to);
  else writeFileSync(to, text);
}

/** Puts the given image files on the default endpoints (adding any that are missing). Idempotent. */
export function seedGlobusSandbox(sandbox: Seedable, sifFiles: string[]): Array<{ endpoint_id: string; path: string }> {
  for (const spec of defaultSandboxEndpoints()) {
    if (!sandbox.endpoints.some((e) => e.id === spec.id)) sandbox.addEndpoint(spec);
  }
  const placed: Array<{ endpoint_id: string; path: string }> = [];
  const put = (id: string, path: string, from: string | null, text?: string) => {
    place(from, sandbox.endpointPath(id, path), text);
    placed.push({ endpoint_id: id, path });
  };
  for (const file of sifFiles) {
    const name = basename(file);
    const stem = name.replace(/\.(sif|simg|img)$/i, '');
    put(SANDBOX_LAPTOP_ID, `/~/containers/${name}`, file);
    put(SANDBOX_HPC_ID, `/~/.singularity/shub/${name}`, file);
    put(SANDBOX_HPC_ID, `/~/images/${stem}:latest.sif`, file);
    put(SANDBOX_LAB_ID, `/images/${name}`, file);
    put(SANDBOX_OFFLINE_ID, `/${name}`, file);
  }
  put(SANDBOX_LAB_ID, '/README.txt', null, 'Lab images. Ask the PI before adding large files.\n');
  put(SANDBOX_LAB_ID, '/.lab-notes', null, 'hidden notes\n');
  mkdirSync(sandbox.endpointPath(SANDBOX_LAPTOP_ID, '/~/incoming'), { recursive: true });
  if (sifFiles.length) {
    const link = sandbox.endpointPath(SANDBOX_HPC_ID, '/~/latest.sif');
    const stem = basename(sifFiles[0]).replace(/\.(sif|simg|img)$/i, '');
    if (!lstatSync(link, { throwIfNoEntry: false })) symlinkSync(`images/${stem}:latest.sif`, link);
  }
  return placed;
}
