// Fault injection: rules counted per route; each request asks which rules fire for it.
import type { FaultPlan, FaultRule, FaultSpec } from './types.js';

/** What one request must suffer; several rules may fire at once. */
export interface ActiveFaults {
  kinds: string[];
  status?: Omit<Extract<FaultSpec, { kind: 'status' }>, 'kind'>;
  reset?: { afterBytes: number };
  truncate?: { afterBytes: number };
  throttle?: { bytesPerSecond: number };
  expireToken: boolean;
  loseResponse: boolean;
}

interface RuleState {
  id: number;
  rule: FaultRule;
  seen: number;
  fired: number;
}

export class FaultRegistry implements FaultPlan {
  private rules: RuleState[] = [];
  private nextId = 1;
  readonly fired: Array<{ id: number; route: string; kind: FaultSpec['kind'] }> = [];

  add(rule: FaultRule): number {
    if (rule.nth !== undefined && (!Number.isInteger(rule.nth) || rule.nth < 1)) {
      throw new RangeError(`fault nth must be an integer >= 1, got ${rule.nth}`);
    }
    const id = this.nextId++;
    this.rules.push({ id, rule: { ...rule }, seen: 0, fired: 0 });
    return id;
  }

  remove(id: number): void {
    this.rules = this.rules.filter((r) => r.id !== id);
  }

  clear(): void {
    this.rules = [];
  }

  firedCount(id: number): number {
    return this.rules.find((r) => r.id === id)?.fired ?? 0;
  }

  /** Count this request against every rule for its route and return the faults that fire. */
  match(route: string): ActiveFaults {
    const active: ActiveFaults = { kinds: [], expireToken: false, loseResponse: false };
    for (const state of this.rules) {
      const { rule } = state;
      if (rule.route !== '*' && rule.route !== route) continue;
      state.seen++;
      const first = rule.nth ?? 1;
      const times = rule.times ?? 1;
      if (state.seen < first || state.seen >= first + times) continue;
      state.fired++;
      this.fired.push({ id: state.id, route, kind: rule.kind });
      active.kinds.push(rule.kind);
      switch (rule.kind) {
        case 'status':
          active.status = { status: rule.status, retryAfter: rule.retryAfter, body: rule.body, reason: rule.reason };
          break;
        case 'reset':
          active.reset = { afterBytes: Math.max(0, rule.afterBytes ?? 0) };
          break;
        case 'truncate':
          active.truncate = { afterBytes: Math.max(0, rule.afterBytes) };
          break;
        case 'throttle':
          active.throttle = { bytesPerSecond: Math.max(1, rule.bytesPerSecond) };
          break;
        case 'expire-token':
          active.expireToken = true;
          break;
        case 'lose-response':
          active.loseResponse = true;
          break;
      }
    }
    return active;
  }
}

/** Sleeps so that `sent` bytes since `started` do not exceed the rate. */
export async function pace(started: number, sent: number, bytesPerSecond: number): Promise<void> {
  const due = started + (sent / bytesPerSecond) * 1000;
  const wait = due - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

/** Chunk size that keeps a throttled stream smooth (about ten slices a second). */
export function throttleSlice(bytesPerSecond: number): number {
  return Math.max(1, Math.min(64 * 1024, Math.floor(bytesPerSecond / 10)));
}
