// The order in which an inbound trunk's origination URIs are tried for one call.
//
// Lowest priority first; among equal priorities a weighted random order, drawn the way RFC 2782
// ("Usage rules") orders SRV targets: pick one with probability weight / (sum of the weights
// left), remove it, repeat. URIs whose health is down are skipped while another URI is up, and
// tried last otherwise (a prober's verdict may be stale; a call should still get a chance).
import type { UriHealthStatus } from './uri-health.ts';

export interface OriginationCandidate {
  readonly uri_uuid: string;
  readonly priority: number;
  readonly weight: number;
  readonly health: UriHealthStatus;
}

export interface OriginationOrder<T extends OriginationCandidate> {
  /** URIs to try, first to last. */
  readonly order: readonly T[];
  /** Down URIs left out because another URI is up. */
  readonly skipped: readonly T[];
}

/** A source of uniform numbers in [0, 1), injected so tests can seed it. */
export type RandomSource = () => number;

/** One priority group in weighted random order (RFC 2782). */
export function weightedShuffle<T extends { readonly weight: number }>(
  items: readonly T[],
  random: RandomSource,
): T[] {
  const left = [...items];
  const out: T[] = [];
  while (left.length > 0) {
    const total = left.reduce((sum, item) => sum + item.weight, 0);
    let point = random() * total;
    let index = left.length - 1;
    for (let i = 0; i < left.length; i++) {
      point -= left[i]!.weight;
      if (point < 0) {
        index = i;
        break;
      }
    }
    out.push(...left.splice(index, 1));
  }
  return out;
}

/** Groups by priority (ascending) and orders each group by weight. */
function byPriority<T extends OriginationCandidate>(items: readonly T[], random: RandomSource): T[] {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const group = groups.get(item.priority);
    if (group === undefined) groups.set(item.priority, [item]);
    else group.push(item);
  }
  const out: T[] = [];
  for (const priority of [...groups.keys()].sort((a, b) => a - b))
    out.push(...weightedShuffle(groups.get(priority)!, random));
  return out;
}

export function originationOrder<T extends OriginationCandidate>(
  candidates: readonly T[],
  random: RandomSource,
): OriginationOrder<T> {
  const down = candidates.filter((c) => c.health === 'down');
  const usable = candidates.filter((c) => c.health !== 'down');
  const anotherUp = usable.some((c) => c.health === 'up');
  if (anotherUp) return { order: byPriority(usable, random), skipped: byPriority(down, random) };
  return { order: [...byPriority(usable, random), ...byPriority(down, random)], skipped: [] };
}
