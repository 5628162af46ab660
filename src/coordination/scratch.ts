// Working arrays reused from one partition to the next. The engine handles its data a partition at a
// time, and each partition's arrays are short-lived: at five million posts, gigabytes of them in all.
// Fresh ones would each be a buffer outside the heap, which the collector takes back only in full
// collections, and it ran dozens of those during the sweeps, each longer as the heap grows.

import { KeyIds } from './keyids.ts';

interface TypedArrayOf<T> {
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/**
 * Named typed arrays that grow and are never shrunk or cleared: `int32('order', n)` is a view of the
 * first n elements of the buffer named 'order', holding whatever was there before (users write before
 * they read, or fill). A view is valid until the next request of the same name.
 */
export class Scratch {
  private readonly buffers = new Map<string, ArrayBuffer>();
  private keyTable: KeyIds | null = null;

  private view<T>(Type: TypedArrayOf<T>, name: string, n: number): T {
    const bytes = n * Type.BYTES_PER_ELEMENT;
    let buffer = this.buffers.get(name);
    if (buffer === undefined || buffer.byteLength < bytes) {
      // Half as much again as asked: partitions differ in size, and growing by a little each time would
      // allocate nearly every time.
      buffer = new ArrayBuffer(Math.max(bytes, Math.ceil((buffer?.byteLength ?? 0) * 1.5), 64));
      this.buffers.set(name, buffer);
    }
    return new Type(buffer, 0, n);
  }

  int32(name: string, n: number): Int32Array {
    return this.view(Int32Array, name, n);
  }

  uint32(name: string, n: number): Uint32Array {
    return this.view(Uint32Array, name, n);
  }

  uint16(name: string, n: number): Uint16Array {
    return this.view(Uint16Array, name, n);
  }

  float64(name: string, n: number): Float64Array {
    return this.view(Float64Array, name, n);
  }

  /** An empty table of keys sized for `capacity`, the one of the previous call emptied. */
  keyIds(capacity: number): KeyIds {
    if (this.keyTable === null) this.keyTable = new KeyIds(capacity);
    else this.keyTable.reset(capacity);
    return this.keyTable;
  }
}
