/** A small binary min-heap; `less(a, b)` true when a comes first. Ties keep no particular order. */
export class MinHeap<T> {
  private readonly data: T[] = [];
  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.data.length;
  }

  peek(): T | undefined {
    return this.data[0];
  }

  push(value: T): void {
    const d = this.data;
    d.push(value);
    let i = d.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(d[i] as T, d[p] as T)) break;
      [d[i], d[p]] = [d[p] as T, d[i] as T];
      i = p;
    }
  }

  pop(): T | undefined {
    const d = this.data;
    if (d.length === 0) return undefined;
    const top = d[0];
    const last = d.pop() as T;
    if (d.length > 0) {
      d[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < d.length && this.less(d[l] as T, d[m] as T)) m = l;
        if (r < d.length && this.less(d[r] as T, d[m] as T)) m = r;
        if (m === i) break;
        [d[i], d[m]] = [d[m] as T, d[i] as T];
        i = m;
      }
    }
    return top;
  }
}
