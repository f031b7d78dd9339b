import { MinHeap } from './heap.js';

/**
 * Remembers the ids of the newest `capacity` records, with their timestamps. When an id is evicted
 * (always the oldest by timestamp, whatever order the ids were added in) its timestamp raises a
 * low-water mark: anything before that mark counts as seen. Ids evicted exactly at the mark are
 * kept in a second bounded set, so records sharing one timestamp (second-resolution providers) are
 * neither repeated nor dropped; only if more than `capacity` records share the mark does every
 * record at the mark count as seen. Memory stays bounded (at most 2 × capacity ids) while a long
 * watch never re-yields an old event.
 */
export class SeenIds {
  private readonly ids = new Map<string, number>();
  private readonly byAge = new MinHeap<{ id: string; ms: number }>((a, b) => a.ms < b.ms);
  private lowWater = Number.NEGATIVE_INFINITY;
  /** Ids evicted with timestamp === lowWater. */
  private readonly atLowWater = new Set<string>();
  /** True when more ids shared the mark than `atLowWater` may hold: all of them count as seen. */
  private lowWaterFull = false;
  private readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = Math.max(1, Math.floor(capacity));
  }

  /** Ids held in the main set (the bounded part that grows with the watch). */
  get size(): number {
    return this.ids.size;
  }

  has(id: string, timestampMs: number): boolean {
    if (this.ids.has(id) || timestampMs < this.lowWater) return true;
    return timestampMs === this.lowWater && (this.lowWaterFull || this.atLowWater.has(id));
  }

  add(id: string, timestampMs: number): void {
    if (this.ids.has(id)) return;
    this.ids.set(id, timestampMs);
    this.byAge.push({ id, ms: timestampMs });
    while (this.ids.size > this.capacity) {
      const oldest = this.byAge.pop();
      if (!oldest) break;
      this.ids.delete(oldest.id);
      if (oldest.ms > this.lowWater) {
        this.lowWater = oldest.ms;
        this.atLowWater.clear();
        this.lowWaterFull = false;
      }
      if (oldest.ms === this.lowWater) {
        if (this.atLowWater.size < this.capacity) this.atLowWater.add(oldest.id);
        else this.lowWaterFull = true;
      }
    }
  }
}
