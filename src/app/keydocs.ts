// Help text and docs/keys.md, both generated from the keymap so they can never disagree with it.
// `node scripts/gen-keys.mjs` writes docs/keys.md; a test fails when the file drifts.
import { groups, KEYMAP, keyLabel, type Binding, type Scope } from './keymap.js';

const SCOPE_NAMES: Record<Scope, string> = {
  global: 'everywhere', text: 'while typing', dialog: 'in a question', home: 'Remotes', library: 'Library', inspect: 'Inspect',
  help: 'Help', log: 'Log', auth: 'Log in', browser: 'Browser', transfers: 'Transfers', endpoints: 'Endpoint search',
};

const keysOf = (b: Binding, ascii: boolean) => b.keys.map((k) => keyLabel(k, ascii)).join(', ');
const where = (b: Binding) => b.scopes.map((s) => SCOPE_NAMES[s]).join(', ');

export interface HelpLine {
  text: string;
  heading?: boolean;
}

/** The help screen: one section per group, keys then what they do and where. */
export function helpLines(width: number, ascii = false): HelpLine[] {
  const out: HelpLine[] = [];
  const keyCol = Math.min(22, Math.max(...KEYMAP.map((b) => keysOf(b, ascii).length)) + 2);
  for (const group of groups()) {
    if (out.length) out.push({ text: '' });
    out.push({ text: group, heading: true });
    for (const b of KEYMAP.filter((x) => x.group === group)) {
      const desc = `${b.description}${b.dangerous ? ' (asks first)' : ''} [${where(b)}]`;
      const first = `  ${keysOf(b, ascii).padEnd(keyCol)}`;
      const room = Math.max(10, width - first.length);
      // Wrap the description under itself so the key column stays clear.
      const words = desc.split(' ');
      let line = '';
      const chunks: string[] = [];
      for (const w of words) {
        if (line && (line + ' ' + w).length > room) {
          chunks.push(line);
          line = w;
        } else line = line ? line + ' ' + w : w;
      }
      if (line) chunks.push(line);
      chunks.forEach((c, i) => out.push({ text: (i === 0 ? first : ' '.repeat(first.length)) + c }));
    }
  }
  return out;
}

/** docs/keys.md */
export function keysMarkdown(): string {
  const lines = [
    '# sreg keys',
    '',
    'Generated from `src/app/keymap.ts` by `node scripts/gen-keys.mjs`; do not edit by hand (a test checks it).',
    '',
    'Keys marked **asks first** change or remove data and always show a confirmation.',
    'While a text field has the keyboard (filter, code, search), letters are text and only named keys',
    '(arrows, Enter, Esc, Tab, Ctrl-…) act as commands.',
  ];
  for (const group of groups()) {
    lines.push('', `## ${group}`, '', '| Keys | Command | What it does | Where |', '| --- | --- | --- | --- |');
    for (const b of KEYMAP.filter((x) => x.group === group)) {
      const keys = b.keys.map((k) => '`' + (k === '|' ? '\\|' : keyLabel(k, true)) + '`').join(' ');
      lines.push(`| ${keys} | ${b.command} | ${b.description}${b.dangerous ? ' (**asks first**)' : ''} | ${where(b)} |`);
    }
  }
  return lines.join('\n') + '\n';
}
