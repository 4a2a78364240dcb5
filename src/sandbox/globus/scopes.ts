// Globus Auth scope strings: space-separated, where a scope may carry dependents in brackets
// ("transfer:all[*https://auth.globus.org/scopes/C1/data_access *…/C2/data_access]").
// No library parses this grammar, so it is done by hand here.

export interface ParsedScope {
  scope: string;
  optional: boolean;
  dependents: ParsedScope[];
}

export function parseScopes(text: string): ParsedScope[] {
  const out: ParsedScope[] = [];
  let i = 0;
  const s = text.trim();
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i])) i++;
    if (i >= s.length) break;
    let optional = false;
    if (s[i] === '*') {
      optional = true;
      i++;
    }
    let start = i;
    while (i < s.length && !/[\s[\]]/.test(s[i])) i++;
    const scope = s.slice(start, i);
    if (!scope) throw new Error(`invalid scope string: ${text}`);
    let dependents: ParsedScope[] = [];
    if (s[i] === '[') {
      let depth = 1;
      start = ++i;
      while (i < s.length && depth > 0) {
        if (s[i] === '[') depth++;
        else if (s[i] === ']') depth--;
        i++;
      }
      if (depth !== 0) throw new Error(`unbalanced brackets in scope string: ${text}`);
      dependents = parseScopes(s.slice(start, i - 1));
    } else if (s[i] === ']') {
      throw new Error(`unbalanced brackets in scope string: ${text}`);
    }
    out.push({ scope, optional, dependents });
  }
  return out;
}

/** The collection id of a GCSv5 data_access scope, or null. */
export function dataAccessCollection(scope: string): string | null {
  const m = /^https:\/\/auth\.globus\.org\/scopes\/([0-9a-f-]{36})\/data_access$/i.exec(scope);
  return m ? m[1].toLowerCase() : null;
}
