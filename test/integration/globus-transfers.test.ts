// Push and pull as Globus tasks through the queue: success, FAILED, INACTIVE, local endpoint offline,
// cancel, and a repeated submit that must not start a second task.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { transfer } from '@globus/sdk';
import { parseImageName } from '../../src/core/uri.js';
import { SANDBOX_LAB_ID } from '../../src/sandbox/globus.js';
import type { TransferJob } from '../../src/services/transfers/types.js';
import { harness, LOCAL_ID, SAMPLE, type Harness } from './globus-harness.js';

let h: Harness;
let sha: string;
beforeAll(async () => {
  h = await harness();
  await h.login();
  sha = createHash('sha256').update(readFileSync(join(h.t.dir, SAMPLE))).digest('hex');
  await h.services.library.addFile(join(h.t.dir, SAMPLE), parseImageName('lab/busybox:1.36'), { copy: true });
});
afterAll(async () => h.close());

async function push(remote: string, name = 'lab/busybox:1.36'): Promise<TransferJob> {
  const img = h.services.library.get(name);
  const plan = await h.globus.planPush({ path: img.image!, imageName: name }, remote);
  return h.services.queue.enqueue({ kind: 'push', backend: 'globus', source: img.uri, destination: plan.destination, imageName: name, bytesTotal: plan.bytesTotal, options: plan.options });
}

async function pull(remote: string, name?: string): Promise<TransferJob> {
  const plan = await h.globus.planPull(remote, { name });
  return h.services.queue.enqueue({ kind: 'pull', backend: 'globus', source: plan.source, destination: plan.imageName, imageName: plan.imageName, bytesTotal: plan.bytesTotal, options: plan.options });
}

/** Resolves when `test` holds for the job (checked on every queue change). */
function until(id: number, test: (j: TransferJob) => boolean, timeoutMs = 15_000): Promise<TransferJob> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const j = h.services.queue.get(id);
      if (test(j)) {
        clearInterval(timer);
        clearTimeout(deadline);
        resolve(j);
      }
    };
    const timer = setInterval(check, 20);
    const deadline = setTimeout(() => {
      clearInterval(timer);
      reject(new Error(`job ${id} stuck: ${JSON.stringify(h.services.queue.get(id))}`));
    }, timeoutMs);
  });
}

async function taskCount(): Promise<number> {
  const doc = await h.globus.api.client.transfer<{ total: number }>('task list', (sdk) => transfer.task.getAll({ query: { limit: 1000 } }, sdk));
  return doc.total;
}

describe('push', () => {
  test('to the default folder: created when missing, checksum verified, labelled; the next push needs no mkdir', async () => {
    h.sandbox.requests.length = 0;
    const job = await push(`globus://${SANDBOX_LAB_ID}`);
    expect(job.destination).toBe(`globus://${SANDBOX_LAB_ID}/~/.singularity/shub/lab-busybox:1.36.sif`);
    const done = await h.services.queue.wait(job.id);
    expect(done.state).toBe('done');
    expect(done.reason).toMatch(/succeeded/);
    const landed = h.sandbox.endpointPath(SANDBOX_LAB_ID, '/.singularity/shub/lab-busybox:1.36.sif');
    expect(createHash('sha256').update(readFileSync(landed)).digest('hex')).toBe(sha);
    const task = h.sandbox.task(done.remoteTaskId!)!;
    expect(task).toMatchObject({ status: 'SUCCEEDED', verify_checksum: true, label: 'sreg push lab/busybox:1.36' });
    expect(h.sandbox.requests.some((r) => r.path.endsWith('/mkdir'))).toBe(true);

    h.sandbox.requests.length = 0;
    const again = await h.services.queue.wait((await push(`globus://${SANDBOX_LAB_ID}/~/.singularity/shub/copy.sif`)).id);
    expect(again.state).toBe('done');
    expect(h.sandbox.requests.some((r) => r.path.endsWith('/mkdir'))).toBe(false);
    expect(existsSync(h.sandbox.endpointPath(SANDBOX_LAB_ID, '/.singularity/shub/copy.sif'))).toBe(true);
  });

  test('a task that FAILS shows Globus\'s reason', async () => {
    h.sandbox.failNextTask({ code: 'PERMISSION_DENIED', description: 'permission denied on the destination' });
    const done = await h.services.queue.wait((await push(`globus://${SANDBOX_LAB_ID}/denied/`)).id);
    expect(done.state).toBe('failed');
    expect(done.reason).toContain('permission denied on the destination (PERMISSION_DENIED)');
  });

  test('an INACTIVE task keeps waiting with the reason shown, then finishes when resumed', async () => {
    h.sandbox.makeInactive('next', 'PAUSED_BY_ADMIN');
    const job = await push(`globus://${SANDBOX_LAB_ID}/paused/`);
    const waiting = await until(job.id, (j) => !!j.reason && /INACTIVE/.test(j.reason));
    expect(waiting.state).toBe('submitted');
    expect(waiting.reason).toContain('Paused by an administrator');
    h.sandbox.resumeTask(waiting.remoteTaskId!);
    expect((await h.services.queue.wait(job.id)).state).toBe('done');
  });
});

describe('pull', () => {
  test('a pull that succeeds is in the library with the right sha256, by itself', async () => {
    const job = await pull(`globus://${SANDBOX_LAB_ID}/images/${SAMPLE}`, 'lab/pulled:1');
    const done = await h.services.queue.wait(job.id);
    expect(done.state).toBe('done');
    const img = h.services.library.get('lab/pulled:1');
    expect(img.version).toBe(sha);
    expect(img.client).toBe('globus');
    expect(img.url).toBe(`globus://${SANDBOX_LAB_ID}/images/${SAMPLE}`);
    expect(createHash('sha256').update(readFileSync(img.image!)).digest('hex')).toBe(sha);
    expect(h.sandbox.task(done.remoteTaskId!)).toMatchObject({ verify_checksum: true, label: 'sreg pull lab/pulled:1', destination_endpoint_id: LOCAL_ID });
    expect(readdirSync(join(h.services.library.storageDir, '.sreg-staging'))).toEqual([]);
  });

  test('the name comes from the file when --name is not given', async () => {
    const done = await h.services.queue.wait((await pull(`globus://${SANDBOX_LAB_ID}/images/${SAMPLE}`)).id);
    expect(done.state).toBe('done');
    expect(h.services.library.get('library/busybox_amd64:latest').version).toBe(sha);
  });

  test('a FAILED pull leaves nothing behind and says why', async () => {
    h.sandbox.failNextTask('FILE_NOT_FOUND');
    const done = await h.services.queue.wait((await pull(`globus://${SANDBOX_LAB_ID}/images/${SAMPLE}`, 'lab/failed:1')).id);
    expect(done.state).toBe('failed');
    expect(done.reason).toMatch(/failed: .*FILE_NOT_FOUND/);
    expect(h.services.library.find('lab/failed:1')).toBeUndefined();
    expect(readdirSync(join(h.services.library.storageDir, '.sreg-staging'))).toEqual([]);
  });

  test('an INACTIVE pull waits, then imports once Globus resumes it', async () => {
    h.sandbox.makeInactive('next', 'CREDENTIALS_EXPIRED');
    const job = await pull(`globus://${SANDBOX_LAB_ID}/images/${SAMPLE}`, 'lab/inactive:1');
    const waiting = await until(job.id, (j) => /Credentials expired/.test(j.reason ?? ''));
    expect(waiting.state).toBe('submitted');
    h.sandbox.resumeTask(waiting.remoteTaskId!);
    expect((await h.services.queue.wait(job.id)).state).toBe('done');
    expect(h.services.library.get('lab/inactive:1').version).toBe(sha);
  });

  test('with the local endpoint offline the job waits and says so, then completes when it connects', async () => {
    h.sandbox.setEndpointConnected(LOCAL_ID, false);
    try {
      const job = await pull(`globus://${SANDBOX_LAB_ID}/images/${SAMPLE}`, 'lab/offline:1');
      const waiting = await until(job.id, (j) => j.state === 'submitted' && /globusconnectpersonal -start/.test(j.reason ?? ''));
      expect(waiting.state).toBe('submitted');
    } finally {
      h.sandbox.setEndpointConnected(LOCAL_ID, true);
    }
    const id = h.services.queue.list().find((j) => j.imageName === 'lab/offline:1')!.id;
    expect((await h.services.queue.wait(id)).state).toBe('done');
  });

  test('cancel cancels the task at Globus', async () => {
    h.sandbox.stallTask('next');
    const job = await pull(`globus://${SANDBOX_LAB_ID}/images/${SAMPLE}`, 'lab/cancelled:1');
    const submitted = await until(job.id, (j) => j.state === 'submitted');
    h.services.queue.cancel(job.id);
    const done = await h.services.queue.wait(job.id);
    expect(done.state).toBe('cancelled');
    expect(h.sandbox.task(submitted.remoteTaskId!)).toMatchObject({ status: 'FAILED', fatal_error: { code: 'CANCELED' } });
  });

  test('a submit repeated with the saved submission id gets the same task (no second task)', async () => {
    // A run that died after Globus accepted the task but before the task id was saved: the next run
    // submits again with the saved submission id.
    h.sandbox.stallTask('next');
    const job = await pull(`globus://${SANDBOX_LAB_ID}/images/${SAMPLE}`, 'lab/once:1');
    const submitted = await until(job.id, (j) => j.state === 'submitted');
    const before = await taskCount();
    await h.services.close(); // the runner stops watching; the job stays in the database
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    h.services = await h.reopen();
    h.globus = (await h.services.backend('globus')) as Harness['globus'];
    h.services.library.db.prepare('UPDATE sreg_transfer SET remote_task_id = NULL, owner_pid = ? WHERE id = ?').run(dead, job.id);
    h.sandbox.stallTask(submitted.remoteTaskId!, false);
    h.sandbox.requests.length = 0;
    h.services.queue.schedule();
    const done = await h.services.queue.wait(job.id);
    expect(done.state).toBe('done');
    expect(done.remoteTaskId).toBe(submitted.remoteTaskId);
    expect(done.submissionId).toBe(submitted.submissionId);
    expect(await taskCount()).toBe(before);
    expect(h.sandbox.requests.filter((r) => r.path === '/v0.10/submission_id')).toHaveLength(0);
    expect(h.sandbox.requests.filter((r) => r.path === '/v0.10/transfer').map((r) => r.status)).toEqual([200]); // Duplicate
    expect(h.services.library.get('lab/once:1').version).toBe(sha);
  });
});

describe('consent for a transfer', () => {
  test('pushing to a collection that needs consent fails at plan time with the scopes; after login it works', async () => {
    const { SANDBOX_HPC_ID } = await import('../../src/sandbox/globus.js');
    const { ConsentRequiredError } = await import('../../src/core/errors.js');
    const err = await push(`globus://${SANDBOX_HPC_ID}/~/incoming/`).catch((e) => e);
    expect(err).toBeInstanceOf(ConsentRequiredError);
    await h.login((err as InstanceType<typeof ConsentRequiredError>).requiredScopes);
    const done = await h.services.queue.wait((await push(`globus://${SANDBOX_HPC_ID}/~/incoming/`)).id);
    expect(done.state).toBe('done');
    expect(done.destination).toBe(`globus://${SANDBOX_HPC_ID}/~/incoming/lab-busybox:1.36.sif`);
  });
});

describe('cancel without a running process', () => {
  test('cancelRemote cancels the task of a job left behind', async () => {
    h.sandbox.stallTask('next');
    const job = await pull(`globus://${SANDBOX_LAB_ID}/images/${SAMPLE}`, 'lab/orphan:1');
    const submitted = await until(job.id, (j) => j.state === 'submitted');
    const runner = (await h.services.runner('globus')) as unknown as { cancelRemote(j: TransferJob): Promise<string | undefined> };
    expect(await runner.cancelRemote(submitted)).toBe('Canceled');
    const done = await h.services.queue.wait(job.id);
    expect(done.state).toBe('cancelled'); // the watching runner sees the task end
    expect(done.reason).toMatch(/cancelled/);
  });
});
