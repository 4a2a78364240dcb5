// The guided login of one backend: start() gives the URL and steps, submit() exchanges what the user
// pasted. The flow object lives in a ref because it holds the PKCE verifier between the two steps.
// In sandbox mode the code the fake service would show is filled in, so a newcomer only presses Enter.
import { useCallback, useEffect, useRef, useState } from 'react';
import { messageOf } from '../core/errors.js';
import type { BackendKind, LoginStart } from './types.js';
import { useServices } from './useServices.js';

export type AuthPhase = 'starting' | 'waiting' | 'checking' | 'done' | 'failed';

export interface AuthView {
  phase: AuthPhase;
  start?: LoginStart;
  title: string;
  who?: string;
  error?: string;
  /** Sandbox only: the code to paste. */
  sandboxCode?: string;
  submit(pasted: string): void;
}

export function useAuthFlow(kind: string, options: { token?: boolean; scopes?: string[] }): AuthView {
  const services = useServices();
  const flow = useRef<ReturnType<Awaited<ReturnType<typeof services.backend>>['login']> | undefined>(undefined);
  const [view, setView] = useState<Omit<AuthView, 'submit' | 'sandboxCode'>>({ phase: 'starting', title: kind });
  const scopes = options.scopes?.join(' ');
  useEffect(() => {
    let live = true;
    setView({ phase: 'starting', title: kind });
    (async () => {
      const backend = await services.backend(kind as BackendKind);
      const f = backend.login({ token: options.token, scopes: options.scopes });
      flow.current = f;
      const start = await f.start();
      if (live) setView({ phase: 'waiting', start, title: backend.title });
    })().catch((e) => live && setView((v) => ({ ...v, phase: 'failed', error: messageOf(e) })));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [services, kind, options.token, scopes]);

  const submit = useCallback((pasted: string) => {
    const f = flow.current;
    if (!f) return;
    setView((v) => ({ ...v, phase: 'checking', error: undefined }));
    f.finish(pasted).then(
      ({ who }) => setView((v) => ({ ...v, phase: 'done', who })),
      (e) => setView((v) => ({ ...v, phase: 'waiting', error: messageOf(e) })),
    );
  }, []);
  // One approval per login: the wrapper in services/index.ts already asked the fake for the code.
  const sandboxCode = view.start?.expects === 'code' ? view.start.sandboxCode : undefined;
  return { ...view, sandboxCode, submit };
}
