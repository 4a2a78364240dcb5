// Opening the local library: the one entry point commands, the TUI and services share. Kept apart
// from services/index.ts so library commands load no transfer queue, secret store or backend wiring.
import { existsSync } from 'node:fs';
import { SregError } from '../../core/errors.js';
import { applySandboxPaths, isSandbox, paths, type Env } from '../config.js';
import { Library } from './images.js';

/**
 * Opens the library. An explicit SREGISTRY_DATABASE folder must exist (a typo should not silently
 * start an empty library elsewhere); the default ~/.singularity is created on first use.
 */
export function openLibrary(env: Env = process.env): Library {
  if (isSandbox(env)) applySandboxPaths(env);
  const p = paths(env);
  if (env.SREGISTRY_DATABASE && !existsSync(env.SREGISTRY_DATABASE)) {
    throw new SregError(`database folder ${env.SREGISTRY_DATABASE} does not exist (SREGISTRY_DATABASE); create it or unset the variable`);
  }
  return new Library({ databaseFile: p.databaseFile, storageDir: p.storageDir });
}
