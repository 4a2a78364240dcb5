// Inspect: what an image is: where it lives, SIF facts, labels, deffile, runscript and environment,
// as one scrollable text. Sections that were never recorded say so instead of vanishing.
import { Box, Text } from 'ink';
import { useMemo } from 'react';
import { movementCommands, useCommands, useStore } from '../app/context.js';
import { listPos, type Move } from '../app/store.js';
import { useTheme, type Role } from '../app/theme.js';
import { Pane, paneInner } from '../components/Pane.js';
import { wrapLine } from '../components/text.js';
import { counted, formatBytes, formatDate } from '../core/format.js';
import { useImage } from '../hooks/useLibrary.js';
import type { ImageDetails } from '../hooks/types.js';

export interface Line {
  text: string;
  role?: Role;
}

interface Attributes {
  labels?: Record<string, string>;
  deffile?: string;
  runscript?: string;
  startscript?: string;
  environment?: Record<string, string>;
}

export function inspectLines(img: ImageDetails, width: number): Line[] {
  const out: Line[] = [];
  // Wrapped lines keep their indent (plus `hang` columns, so a fact's value stays in its column).
  const push = (raw: string, role?: Role, indent = '', hang = 0) => {
    const text = raw.replace(/\t/g, '    ');
    const first = wrapLine(text, Math.max(1, width - indent.length))[0] ?? '';
    out.push({ text: indent + first, role });
    const rest = text.slice(first.length);
    if (rest) for (const l of wrapLine(rest, Math.max(1, width - indent.length - hang))) out.push({ text: indent + ' '.repeat(hang) + l, role });
  };
  const section = (title: string) => {
    if (out.length) out.push({ text: '' });
    out.push({ text: title, role: 'title' });
  };
  const block = (text: string | undefined) => {
    if (!text || !text.trim()) return push('(none recorded)', 'muted', '  ');
    for (const l of text.replace(/\s+$/, '').split('\n')) push(l, undefined, '  ');
  };
  const m = img.metrics ?? {};
  const attrs = ((m.data as { attributes?: Attributes } | undefined)?.attributes ?? {}) as Attributes;
  const sif = m.sif as { arch?: string; version?: string; created?: number; partitions?: unknown[]; signatures?: unknown[] } | undefined;

  section(`${img.collection}/${img.name}:${img.tag}`);
  const fact = (k: string, v: string | number | null | undefined) => push(`${k.padEnd(9)}${v ?? '-'}`, undefined, '  ', 9);
  fact('file', img.image);
  fact('size', formatBytes(img.size ?? (m.size as number | undefined)));
  fact('added', `${formatDate(img.createdAt)} (client ${img.client})`);
  fact('sha256', img.version);
  fact('format', [m.format, sif?.arch, sif?.version ? `SIF ${sif.version}` : ''].filter(Boolean).join(', ') || '-');
  if (sif?.created) fact('built', formatDate(sif.created));
  if (sif?.signatures) fact('signed', sif.signatures.length ? `yes (${counted(sif.signatures.length, 'signature')})` : 'no');
  if (img.url) fact('from', img.url);

  section('Labels');
  const labels = Object.entries(attrs.labels ?? {});
  if (!labels.length) push('(none recorded)', 'muted', '  ');
  const keyWidth = Math.min(32, Math.max(0, ...labels.map(([k]) => k.length)) + 1);
  for (const [k, v] of labels) {
    const key = k + ':';
    push(`${key.length > keyWidth ? key + ' ' : key.padEnd(keyWidth + 1)}${v}`, undefined, '  ', Math.min(keyWidth + 1, 24));
  }

  section('Deffile');
  block(attrs.deffile);
  section('Runscript');
  block(attrs.runscript);
  if (attrs.startscript?.trim()) {
    section('Startscript');
    block(attrs.startscript);
  }
  section('Environment');
  const env = Object.entries(attrs.environment ?? {});
  if (!env.length) push('(none recorded)', 'muted', '  ');
  for (const [file, text] of env) {
    push(file, 'accent', '  ');
    for (const l of text.replace(/\s+$/, '').split('\n')) push(l, undefined, '    ');
  }
  return out;
}

export function InspectScreen({ uri, width, height }: { uri: string; width: number; height: number }) {
  const theme = useTheme();
  const { state, dispatch } = useStore();
  const { image, error } = useImage(uri, state.epoch.library);
  const inner = paneInner(width, height);
  const lines = useMemo(() => (image ? inspectLines(image, inner.width - 1) : [{ text: `error: ${error}`, role: 'error' as Role }]), [image, error, inner.width]);
  const pos = listPos(state, 'inspect');
  const top = Math.min(pos.top, Math.max(0, lines.length - inner.height));
  const scroll = (by: Move) => dispatch({ type: 'scroll', list: 'inspect', by, count: lines.length, height: inner.height });
  useCommands({
    ...movementCommands(scroll),
  });
  const end = Math.min(lines.length, top + inner.height);
  const info = lines.length > inner.height ? `${top + 1}-${end} of ${lines.length}` : undefined;
  return (
    <Pane title={`Inspect ${image ? `${image.collection}/${image.name}:${image.tag}` : uri}`} info={info} width={width} height={height}>
      <Box flexDirection="column" height={inner.height} overflow="hidden">
        {lines.slice(top, end).map((l, i) => (
          <Text key={top + i} wrap="truncate" {...(l.role ? theme.style(l.role) : {})}>
            {' ' + l.text}
          </Text>
        ))}
      </Box>
    </Pane>
  );
}
