import { jsonMessages } from './bench/deflate.bench.mjs';
import { PerMessageDeflateClient, PerMessageDeflateServer } from './dist/deflate.js';
const msgs = jsonMessages(10000, 1024);
const o = { threshold: 0 };
const mk = () => { const s = new PerMessageDeflateServer(o), c = new PerMessageDeflateClient(o); const a = s.accept(c.offer(), []); return { tx: a.extension, rx: c.accept(a.params, []) }; };
const f = (p, rsv1=false) => ({ opcode: 1, fin: true, rsv1, rsv2: false, rsv3: false, payload: p });
const { tx } = mk();
const comp = msgs.map(m => tx.encodeMessage(f(m)).payload);
for (let r = 0; r < 4; r++) {
  const { rx } = mk();
  let t = performance.now();
  for (const c of comp) rx.decode(f(c, true), 1 << 30);
  const { tx } = mk();
  let t2 = performance.now();
  for (const m of msgs) tx.encodeMessage(f(m));
  console.log('inflate', (t2 - t).toFixed(1), 'compress', (performance.now() - t2).toFixed(1));
}
