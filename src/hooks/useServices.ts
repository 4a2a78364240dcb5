// The one door from the UI to the services: a React context. run.ts fills it with openServices();
// tests fill it with temp-dir or sandbox-backed services.
import { createContext, createElement, useContext, type ReactNode } from 'react';
import type { BackendKind } from '../services/backends/backend.js';
import type { Services } from '../services/index.js';

/** What the TUI uses of Services (tests can build exactly this). */
export type TuiServices = Pick<Services, 'env' | 'library' | 'queue' | 'settings' | 'backend' | 'sandbox'> & {
  /** Remotes to offer on Home; defaults to every backend sreg knows. */
  kinds?: BackendKind[];
};

const ServicesContext = createContext<TuiServices | null>(null);

export function ServicesProvider(props: { services: TuiServices; children?: ReactNode }) {
  return createElement(ServicesContext.Provider, { value: props.services }, props.children);
}

export function useServices(): TuiServices {
  const s = useContext(ServicesContext);
  if (!s) throw new Error('useServices outside ServicesProvider');
  return s;
}
