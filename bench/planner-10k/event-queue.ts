/** One entry of the queue: what is due, and when (virtual epoch ms). */
export interface Timed<T> {
  readonly at: number;
  readonly value: T;
}

interface Entry<T> extends Timed<T> {
  readonly seq: number;
}

/**
 * The simulation's clock face: events ordered by due time, ties in the order they were pushed (so
 * two polls due at the same millisecond start in the order BullMQ would have queued them). A
 * binary min-heap: the 10,000-site run keeps about 20,000 events in it at any time.
 */
export class EventQueue<T> {
  readonly #heap: Entry<T>[] = [];
  #seq = 0;

  get size(): number {
    return this.#heap.length;
  }

  push(at: number, value: T): void {
    const heap = this.#heap;
    heap.push({ at, value, seq: this.#seq++ });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Entry<T>, heap[parent] as Entry<T>)) break;
      swap(heap, i, parent);
      i = parent;
    }
  }

  /** Due time of the earliest event; undefined when empty. */
  peekAt(): number | undefined {
    return this.#heap[0]?.at;
  }

  pop(): Timed<T> | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined) return undefined;
    if (heap.length > 0) {
      heap[0] = last;
      this.#siftDown(0);
    }
    return { at: top.at, value: top.value };
  }

  /** Every event due before `end` (exclusive), earliest first. */
  popBefore(end: number): Timed<T>[] {
    const out: Timed<T>[] = [];
    while ((this.peekAt() ?? Number.POSITIVE_INFINITY) < end) out.push(this.pop() as Timed<T>);
    return out;
  }

  #siftDown(from: number): void {
    const heap = this.#heap;
    let i = from;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && before(heap[left] as Entry<T>, heap[least] as Entry<T>)) least = left;
      if (right < heap.length && before(heap[right] as Entry<T>, heap[least] as Entry<T>)) least = right;
      if (least === i) return;
      swap(heap, i, least);
      i = least;
    }
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function swap<T>(heap: T[], i: number, j: number): void {
  const tmp = heap[i] as T;
  heap[i] = heap[j] as T;
  heap[j] = tmp;
}
