import type { Command } from 'commander';
import { formatBytes, formatDate } from '../core/format.js';
import type { ImageDetails } from '../services/library/images.js';
import { out, printJson, withLibrary } from './shared.js';

export function define(cmd: Command): void {
  cmd
    .argument('<uri>', 'image name: [collection/]name[:tag][@version]')
    .option('--json', 'print the whole record as JSON (metrics as stored)')
    .addHelpText('after', '\nExample:\n  sreg inspect library/busybox:latest')
    .action(async (uri: string, opts: { json?: boolean }) => {
      await withLibrary((lib) => {
        const img = lib.get(uri);
        if (opts.json) return printJson(img);
        out(describe(img));
      });
    });
}

/** The human form of `inspect`, section by section. */
export function describe(img: ImageDetails): string {
  const m = img.metrics;
  const attrs = m.data?.attributes ?? {};
  const lines: string[] = [];
  lines.push(`${img.collection}/${img.name}:${img.tag}`);
  lines.push(`  path     ${img.image ?? '-'}`);
  lines.push(`  version  ${img.version ?? '-'}`);
  lines.push(`  size     ${formatBytes(img.size)}   added ${formatDate(img.createdAt)}   client ${img.client}`);
  if (m.format) lines.push(`  format   ${m.format}${m.source ? ` (metadata from ${m.source})` : ''}`);
  if (m.sif) {
    const parts = m.sif.partitions.map((p) => `${p.fstype}/${p.parttype}/${p.arch}`).join(', ');
    lines.push(`  sif      arch ${m.sif.arch}, ${m.sif.descriptors.length} objects${parts ? `, partitions ${parts}` : ''}${m.sif.signatures.length ? `, ${m.sif.signatures.length} signature(s)` : ', unsigned'}`);
  }
  const section = (title: string, body: string | undefined) => {
    if (!body) return;
    lines.push('', `== ${title} ==`, body.replace(/\n+$/, ''));
  };
  const labels = attrs.labels ?? {};
  if (Object.keys(labels).length > 0) {
    lines.push('', '== labels ==');
    for (const k of Object.keys(labels).sort()) lines.push(`${k}: ${labels[k]}`);
  }
  section('deffile', attrs.deffile);
  section('runscript', attrs.runscript);
  section('startscript', attrs.startscript);
  section('test', attrs.test);
  section('help', attrs.helpfile);
  for (const [path, text] of Object.entries(attrs.environment ?? {}).sort()) section(`environment ${path}`, text);
  return lines.join('\n');
}
