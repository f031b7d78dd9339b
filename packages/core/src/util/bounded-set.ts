/**
 * Remembers the ids of the most recent `capacity` records, with their timestamps. When an id is
 * evicted its timestamp raises a low-water mark: anything at or before that mark counts as seen.
 * So memory stays bounded while a long watch still never re-yields an old event.
 */
export class SeenIds {
  private readonly ids = new Map<string, number>();
  private lowWater = Number.NEGATIVE_INFINITY;
  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.ids.size;
  }

  has(id: string, timestampMs: number): boolean {
    return this.ids.has(id) || timestampMs < this.lowWater;
  }

  add(id: string, timestampMs: number): void {
    if (this.ids.has(id)) return;
    this.ids.set(id, timestampMs);
    while (this.ids.size > this.capacity) {
      const first = this.ids.entries().next().value;
      if (!first) break;
      this.ids.delete(first[0]);
      if (first[1] > this.lowWater) this.lowWater = first[1];
    }
  }
}
