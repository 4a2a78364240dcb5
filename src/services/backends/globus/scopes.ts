// Globus Auth scope strings. A scope may carry dependent scopes in brackets, e.g.
// `urn:…:transfer.api.globus.org:all[*https://auth.globus.org/scopes/C1/data_access]`; a second login
// after ConsentRequired must ask for the union of what was consented before and what is missing now.
// No library parses this small grammar, so it is done by hand (one level of brackets is all Transfer uses).

export const TRANSFER_SCOPE = 'urn:globus:auth:scope:transfer.api.globus.org:all';
export const IDENTITY_SCOPES = ['openid', 'profile', 'email'];
export const TRANSFER_RS = 'transfer.api.globus.org';
export const AUTH_RS = 'auth.globus.org';

export function dataAccessScope(collectionId: string): string {
  return `https://auth.globus.org/scopes/${collectionId}/data_access`;
}

interface Scope {
  name: string;
  dependents: string[];
}

/** Splits on spaces outside brackets; `a[*b *c] d` gives a (with *b, *c) and d. */
export function parseScopeString(text: string): Scope[] {
  const out: Scope[] = [];
  let i = 0;
  const s = text.trim();
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    const start = i;
    while (i < s.length && !/[\s[]/.test(s[i]!)) i++;
    const name = s.slice(start, i);
    let dependents: string[] = [];
    if (s[i] === '[') {
      const close = s.indexOf(']', i);
      const inner = s.slice(i + 1, close < 0 ? s.length : close);
      dependents = inner.split(/\s+/).filter(Boolean);
      i = close < 0 ? s.length : close + 1;
    }
    if (name) out.push({ name, dependents });
  }
  return out;
}

/** Merges scope strings: same base scopes become one, with the union of their dependents. */
export function mergeScopes(...lists: Array<string | string[] | undefined>): string[] {
  const merged = new Map<string, Set<string>>();
  for (const item of lists) {
    if (!item) continue;
    for (const text of Array.isArray(item) ? item : [item]) {
      for (const sc of parseScopeString(text)) {
        const deps = merged.get(sc.name) ?? new Set<string>();
        for (const d of sc.dependents) deps.add(d.startsWith('*') ? d : `*${d}`);
        merged.set(sc.name, deps);
      }
    }
  }
  return [...merged].map(([name, deps]) => (deps.size ? `${name}[${[...deps].join(' ')}]` : name));
}

/** The data_access collection ids a scope list mentions (for messages: "consent for collection X"). */
export function dataAccessCollections(scopes: string[]): string[] {
  const ids: string[] = [];
  for (const text of scopes) {
    for (const sc of parseScopeString(text)) {
      for (const d of [sc.name, ...sc.dependents]) {
        const m = /scopes\/([0-9a-f-]{36})\/data_access$/i.exec(d.replace(/^\*/, ''));
        if (m && !ids.includes(m[1]!.toLowerCase())) ids.push(m[1]!.toLowerCase());
      }
    }
  }
  return ids;
}
