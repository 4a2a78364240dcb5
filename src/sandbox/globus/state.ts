// Saves the sandbox's tokens, consents and tasks in its data folder, so `sreg --sandbox` keeps a
// login and its task history across runs, as the real service would.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AuthSnapshot } from './auth.js';
import type { TaskRecord } from './task-model.js';

export interface SandboxState {
  version: 1;
  auth: AuthSnapshot;
  tasks: TaskRecord[];
  recentlyUsed: string[];
}

export function loadState(file: string): SandboxState | null {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as SandboxState;
    return s.version === 1 ? s : null;
  } catch {
    return null;
  }
}

export function saveState(file: string, state: SandboxState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
  renameSync(tmp, file);
}
