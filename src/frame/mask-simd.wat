;; The WebAssembly masking kernel (RFC 6455 §5.3), 128 bits at a time.
;;
;; Source of the bytes embedded in mask-simd-bytes.ts; `npm run build:wasm`
;; assembles it (wabt) and test/node/mask-wasm-source.test.ts checks that the
;; embedded bytes are exactly what this file assembles to.
;;
;; Memory: one 64 KiB page, declared with the same minimum and maximum, so it
;; is allocated once at its final size and can never grow (growing would detach
;; the ArrayBuffer the JavaScript side holds). JavaScript copies a payload in
;; 64 KiB slices into bytes [0, len), calls $mask, and copies the result out.
(module
  (memory (export "memory") 1 1)

  ;; XORs bytes [0, len) with the 32-bit little-endian word $key repeated:
  ;; byte i gets byte (i mod 4) of $key. The caller rotates the key so that
  ;; byte 0 of the slice lines up with the payload's place in the key cycle.
  ;; Returns 1 if every resulting byte is ASCII (below 0x80), else 0: the
  ;; OR of all results costs nothing beside the XOR and spares a UTF-8
  ;; validator the scan of ASCII text.
  (func (export "mask") (param $len i32) (param $key i32) (result i32)
    (local $i i32)
    (local $end i32)
    (local $k v128)
    (local $x v128)
    (local $any v128)
    (local $tail i32)
    (local $byte i32)
    (local.set $k (i32x4.splat (local.get $key)))
    ;; 64 bytes per iteration.
    (local.set $end (i32.and (local.get $len) (i32.const -64)))
    (block $done64
      (loop $next64
        (br_if $done64 (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (v128.xor (v128.load offset=0 (local.get $i)) (local.get $k)))
        (v128.store offset=0 (local.get $i) (local.get $x))
        (local.set $any (v128.or (local.get $any) (local.get $x)))
        (local.set $x (v128.xor (v128.load offset=16 (local.get $i)) (local.get $k)))
        (v128.store offset=16 (local.get $i) (local.get $x))
        (local.set $any (v128.or (local.get $any) (local.get $x)))
        (local.set $x (v128.xor (v128.load offset=32 (local.get $i)) (local.get $k)))
        (v128.store offset=32 (local.get $i) (local.get $x))
        (local.set $any (v128.or (local.get $any) (local.get $x)))
        (local.set $x (v128.xor (v128.load offset=48 (local.get $i)) (local.get $k)))
        (v128.store offset=48 (local.get $i) (local.get $x))
        (local.set $any (v128.or (local.get $any) (local.get $x)))
        (local.set $i (i32.add (local.get $i) (i32.const 64)))
        (br $next64)))
    ;; Then 16 bytes at a time.
    (local.set $end (i32.and (local.get $len) (i32.const -16)))
    (block $done16
      (loop $next16
        (br_if $done16 (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (v128.xor (v128.load (local.get $i)) (local.get $k)))
        (v128.store (local.get $i) (local.get $x))
        (local.set $any (v128.or (local.get $any) (local.get $x)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next16)))
    ;; The last 0-15 bytes, one at a time ($i is a multiple of 16 here).
    (block $done1
      (loop $next1
        (br_if $done1 (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $byte
          (i32.and (i32.const 0xff)
            (i32.xor (i32.load8_u (local.get $i))
                     (i32.shr_u (local.get $key) (i32.shl (i32.and (local.get $i) (i32.const 3)) (i32.const 3))))))
        (i32.store8 (local.get $i) (local.get $byte))
        (local.set $tail (i32.or (local.get $tail) (local.get $byte)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next1)))
    ;; ASCII if no high bit is set in any lane, nor in the tail.
    (i32.and
      (i32.eqz (i8x16.bitmask (local.get $any)))
      (i32.lt_u (local.get $tail) (i32.const 0x80)))))
