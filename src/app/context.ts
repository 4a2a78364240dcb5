// The store and the command router, published through contexts so screens stay presentational.
import { createContext, useContext, useLayoutEffect, useRef, type Dispatch } from 'react';
import type { Command } from './keymap.js';
import type { Action, Move, State } from './store.js';

export interface Store {
  state: State;
  dispatch: Dispatch<Action>;
}

export const StoreContext = createContext<Store | null>(null);

export function useStore(): Store {
  const s = useContext(StoreContext);
  if (!s) throw new Error('useStore outside the App');
  return s;
}

export type Handlers = Partial<Record<Command, () => void>>;
type HandlerRef = { current: Handlers };

/** Who answers first: an open dialog, then the screen, then the App's own (quit, tabs, typing). */
export type Layer = 'app' | 'screen' | 'dialog';
const RANK: Record<Layer, number> = { app: 0, screen: 1, dialog: 2 };

/**
 * One keyboard listener for the whole app (in App.tsx) resolves a key to a command with the keymap,
 * then asks the handlers registered here, newest first (a dialog over a screen over the App).
 */
export class CommandRouter {
  private stack: Array<{ ref: HandlerRef; rank: number }> = [];

  register(ref: HandlerRef, layer: Layer = 'screen'): () => void {
    const entry = { ref, rank: RANK[layer] };
    // Stable insert: higher layers last; within a layer, the newest last.
    const at = this.stack.findIndex((e) => e.rank > entry.rank);
    if (at < 0) this.stack.push(entry);
    else this.stack.splice(at, 0, entry);
    return () => {
      this.stack = this.stack.filter((e) => e !== entry);
    };
  }

  /** True when someone handled the command. */
  run(command: Command): boolean {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const h = this.stack[i]!.ref.current[command];
      if (h) {
        h();
        return true;
      }
    }
    return false;
  }
}

export const RouterContext = createContext<CommandRouter | null>(null);

/** Registers what a component does for some commands while it is mounted. */
export function useCommands(handlers: Handlers, layer: Layer = 'screen'): void {
  const router = useContext(RouterContext);
  const ref = useRef(handlers);
  useLayoutEffect(() => {
    ref.current = handlers;
  });
  useLayoutEffect(() => router?.register(ref, layer), [router, layer]);
}

/** The six movement commands every list and scrolling view shares, mapped onto one move function. */
export function movementCommands(move: (by: Move) => void): Handlers {
  return {
    up: () => move(-1),
    down: () => move(1),
    'page-up': () => move('page-up'),
    'page-down': () => move('page-down'),
    top: () => move('top'),
    bottom: () => move('bottom'),
  };
}
