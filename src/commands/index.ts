// The command table: names, one-line summaries for `sreg --help`, and lazy loaders, so that
// `sreg --version` and `sreg images` load neither Ink, React nor any SDK.
import type { Command } from 'commander';

export interface CommandModule {
  /** Adds arguments, options and the action to a command already named. */
  define(cmd: Command): void;
}

export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<CommandModule>;
}

export const COMMANDS: CommandEntry[] = [
  { name: 'images', summary: 'list images in the local library', load: () => import('./images.js') },
  { name: 'inspect', summary: 'show an image: labels, deffile, runscript, environment, SIF facts', load: () => import('./inspect.js') },
  { name: 'get', summary: 'print the path of an image', load: () => import('./get.js') },
  { name: 'add', summary: 'add an image file to the library', load: () => import('./add.js') },
  { name: 'rm', summary: 'remove an image from the library (row and file)', load: () => import('./rm.js') },
  { name: 'mv', summary: "move an image's file elsewhere, keeping it in the library", load: () => import('./mv.js') },
  { name: 'rename', summary: 'give an image a new name', load: () => import('./rename.js') },
  { name: 'labels', summary: 'search image labels', load: () => import('./labels.js') },
  { name: 'push', summary: 'upload an image to a remote (a file not in the library is added first)', load: () => import('./push.js') },
  { name: 'pull', summary: 'download a remote image into the library', load: () => import('./pull.js') },
  { name: 'search', summary: 'search or list a remote: images and collections', load: () => import('./search.js') },
  { name: 'share', summary: 'print a shared link for a remote image', load: () => import('./share.js') },
  { name: 'delete', summary: 'delete an image on a remote', load: () => import('./delete.js') },
  { name: 'login', summary: 'sign in to a backend (browser code or pasted token; scriptable)', load: () => import('./login.js') },
  { name: 'logout', summary: 'revoke and forget the saved login of a backend', load: () => import('./logout.js') },
  { name: 'backend', summary: 'list backends, show their status, activate one', load: () => import('./backend.js') },
  { name: 'local', summary: 'show or choose the Globus endpoint that is this machine', load: () => import('./local.js') },
  { name: 'tasks', summary: 'list, watch, cancel or retry transfers', load: () => import('./tasks.js') },
];
