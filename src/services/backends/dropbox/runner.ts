// Runs Dropbox push and pull jobs: push uploads a library image (or a file path); pull downloads into a
// temp file in the storage folder and commits it into the library (client `dropbox`) only once the
// bytes are verified, so a failed or killed pull never leaves a row.
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { ExistsError, NotFoundError } from '../../../core/errors.js';
import { formatImageName, parseImageName } from '../../../core/uri.js';
import type { Env } from '../../config.js';
import type { Library } from '../../library/images.js';
import { tempPath } from '../../library/storage.js';
import { log } from '../../log.js';
import type { RunContext, TransferRunner } from '../../transfers/types.js';
import type { DropboxApi } from './api.js';
import { downloadFile } from './download.js';
import { uploadFile } from './files.js';
import { toLocation, toPath } from './paths.js';

const MIB = 1024 * 1024;

export class DropboxRunner implements TransferRunner {
  constructor(
    private readonly api: DropboxApi,
    private readonly library: Library,
    private readonly env: Env,
  ) {}

  run(ctx: RunContext): Promise<{ note?: string }> {
    return ctx.job.kind === 'push' ? this.push(ctx) : this.pull(ctx);
  }

  /** Size knobs (tests use small ones): a positive number of MiB from the environment. */
  private mib(name: string): number | undefined {
    const n = Number(this.env[name]);
    return this.env[name] && Number.isFinite(n) && n > 0 ? Math.floor(n * MIB) : undefined;
  }

  /** A push source is a library name or a file path. */
  private localFile(source: string): string {
    if (isAbsolute(source) && existsSync(source)) return source;
    const img = this.library.get(source);
    if (!img.image || !existsSync(img.image)) throw new NotFoundError(`the file of ${formatImageName(img)} is missing (${img.image ?? 'no path'})`);
    return img.image;
  }

  private async push(ctx: RunContext): Promise<{ note?: string }> {
    const { job } = ctx;
    const file = this.localFile(job.source);
    const path = toPath(job.destination);
    const meta = await uploadFile(this.api, {
      file,
      path,
      chunkSize: this.mib('SREG_DROPBOX_CHUNK_MIB'),
      singleLimit: this.mib('SREG_DROPBOX_SINGLE_LIMIT_MIB'),
      signal: ctx.signal,
      onProgress: (done, total) => ctx.progress(done, total),
    });
    const where = toLocation(meta.path_display ?? path);
    log('transfer', `#${job.id} pushed ${file} -> ${where} (${meta.size} bytes, content_hash ok)`);
    return { note: `pushed to ${where}` };
  }

  private async pull(ctx: RunContext): Promise<{ note?: string }> {
    const { job } = ctx;
    const name = parseImageName(job.imageName ?? job.destination);
    const force = job.options.force === true;
    if (!force && this.library.find({ ...name, version: undefined })) {
      throw new ExistsError(`Image exists! ${formatImageName(name, false)} is in the library; remove it first, or use --force to overwrite`);
    }
    const path = toPath(job.source);
    const tmp = await tempPath(this.library.storageDir);
    const started = Date.now();
    const got = await downloadFile(this.api, { path, tmp, signal: ctx.signal, onProgress: (done, total) => ctx.progress(done, total) });
    const how = got.responses > 1 ? `in ${got.responses} responses, content_hash ok` : 'in one response, size ok';
    log('transfer', `#${job.id} downloaded ${got.size} bytes in ${Date.now() - started} ms (${how}); importing`);
    ctx.update({ state: 'importing' });
    const { image, replaced } = await this.library.commitTemp(tmp, got.sha256, got.size, name, { client: 'dropbox', url: job.source, force });
    log('transfer', `#${job.id} pulled ${job.source} -> ${image.uri} (${replaced ? 'update' : 'new'})`);
    return { note: `${replaced ? 'updated' : 'added'} ${formatImageName(image, false)}: ${image.image}` };
  }
}
