// DELETE tasks: the parts of a POST /delete body that are the delete's own, and what running one does
// to the endpoint's folder. Submission, Duplicate and the task's life are tasks.ts's, as for transfers.
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ApiError } from './errors.js';
import type { EndpointRegistry } from './endpoints.js';
import type { DeleteSpec } from './task-model.js';
import type { SandboxEndpoint, TaskFailure } from './types.js';

/** The delete's DATA and switches; `bad` builds the 400 for a field that is wrong. */
export function parseDelete(body: Record<string, unknown>, bad: (message: string) => ApiError): DeleteSpec {
  for (const k of ['recursive', 'ignore_missing', 'interpret_globs'] as const) {
    if (body[k] !== undefined && body[k] !== null && typeof body[k] !== 'boolean') throw bad(`'${k}' must be a boolean`);
  }
  // Transfer expands globs server-side; the sandbox does not, and says so rather than deleting literally.
  if (body.interpret_globs === true) throw bad('interpret_globs is not supported by the sandbox');
  const paths = (body.DATA as unknown[]).map((raw, i) => {
    const it = (raw ?? {}) as Record<string, unknown>;
    if (it.DATA_TYPE !== undefined && it.DATA_TYPE !== 'delete_item') throw bad(`DATA[${i}]: invalid DATA_TYPE '${String(it.DATA_TYPE)}'`);
    if (typeof it.path !== 'string' || !it.path) throw bad(`DATA[${i}]: missing path`);
    return it.path;
  });
  return { paths, recursive: body.recursive === true, ignore_missing: body.ignore_missing === true };
}

export interface Deleted {
  files: number;
  directories: number;
  symlinks: number;
}

/**
 * Deletes the paths from the endpoint's folder, or fails without touching any when one cannot go:
 * checking all first keeps a failed task's effect easy to assert, where Transfer may get part-way.
 */
export function deletePaths(reg: EndpointRegistry, ep: SandboxEndpoint, spec: DeleteSpec): Deleted | { failure: TaskFailure; details: string } {
  const doomed: string[] = [];
  const counts: Deleted = { files: 0, directories: 0, symlinks: 0 };
  for (const path of spec.paths) {
    const { disk } = reg.resolvePath(ep, path);
    const details = (message: string) => `Error (delete)\nEndpoint: ${ep.display_name} (${ep.id})\nPath: ${path}\nMessage: ${message}`;
    if (disk === ep.root) return { failure: { code: 'PERMISSION_DENIED', description: `cannot delete the collection root ${path}` }, details: details('Permission denied') };
    // The entry itself may be a symlink (deleting it removes the link), but not a folder on its way.
    const st = reg.contains(ep, dirname(disk)) ? lstatOrNull(disk) : null;
    if (!st) {
      if (spec.ignore_missing) continue;
      return { failure: { code: 'NOT_FOUND', description: `no such file or directory: ${path}` }, details: details('No such file or directory') };
    }
    if (st.isDirectory() && !spec.recursive) {
      // Transfer's code for this is not documented; IS_A_DIRECTORY is the sandbox's choice.
      return { failure: { code: 'IS_A_DIRECTORY', description: `is a directory: ${path}; delete it with recursive=true` }, details: details('Is a directory') };
    }
    count(disk, counts);
    doomed.push(disk);
  }
  for (const disk of doomed) rmSync(disk, { recursive: true, force: true });
  return counts;
}

function lstatOrNull(disk: string) {
  try {
    return lstatSync(disk);
  } catch {
    return null;
  }
}

/** Counts what goes, as the task's files/directories/symlinks counters; links are not followed. */
function count(disk: string, into: Deleted): void {
  const st = lstatSync(disk);
  if (st.isSymbolicLink()) into.symlinks += 1;
  else if (!st.isDirectory()) into.files += 1;
  else {
    into.directories += 1;
    for (const name of readdirSync(disk)) count(join(disk, name), into);
  }
}
