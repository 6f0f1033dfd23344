// Node-only: the memory a test can see, after forcing a full collection.
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Heap and array buffers in use after two full collections (the second frees what the first's finalizers released). */
export function heapUsed(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}
