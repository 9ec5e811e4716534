;; Firehose / Kinesis request records in WebAssembly: `{"Data":"<base64>"}` for each record of a
;; call, the base64 made 12 bytes to 16 characters at a time with SIMD (the vector lookup of
;; characters is W. Mula's: a table of 16 offsets added to each 6-bit value, picked by its range).
;; Source of src/codec/base64-records.wasm.ts: after a change here, `node scripts/build-wasm.mjs`
;; (test/codec/base64-records.test.ts checks that the two agree).
(module
  (import "wren" "memory" (memory 1))
  ;; the base64 alphabet at address 0 (64 bytes)
  (data (i32.const 0) "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

  ;; four characters of the 24-bit group $v at $dst
  (func $quad (param $v i32) (param $dst i32)
    (i32.store8 (local.get $dst) (i32.load8_u (i32.shr_u (local.get $v) (i32.const 18))))
    (i32.store8 offset=1 (local.get $dst) (i32.load8_u (i32.and (i32.shr_u (local.get $v) (i32.const 12)) (i32.const 63))))
    (i32.store8 offset=2 (local.get $dst) (i32.load8_u (i32.and (i32.shr_u (local.get $v) (i32.const 6)) (i32.const 63))))
    (i32.store8 offset=3 (local.get $dst) (i32.load8_u (i32.and (local.get $v) (i32.const 63)))))

  ;; For each of the $n records described at $desc (five i32 each: address, length, tail byte or
  ;; -1, the address and length of what closes it), writes `{"Data":"<base64 of the bytes, then the
  ;; tail>` and the closing bytes (`"}`, or `","PartitionKey":"k"}`) at $dst, separated by commas;
  ;; returns the end. Reads up to 4 bytes past a record (the caller leaves that room).
  (func (export "records") (param $desc i32) (param $n i32) (param $dst i32) (result i32)
    (local $src i32) (local $end i32) (local $tail i32) (local $v i32) (local $c i32) (local $k i32)
    (local $close i32) (local $closeEnd i32)
    (local $x v128) (local $m18 v128) (local $m4 v128) (local $m10 v128) (local $m24 v128)
    (local $c51 v128) (local $c26 v128) (local $c13 v128) (local $lut v128)
    (local.set $m18 (v128.const i32x4 0x3f 0x3f 0x3f 0x3f))
    (local.set $m4 (v128.const i32x4 0x3f00 0x3f00 0x3f00 0x3f00))
    (local.set $m10 (v128.const i32x4 0x3f0000 0x3f0000 0x3f0000 0x3f0000))
    (local.set $m24 (v128.const i32x4 0x3f000000 0x3f000000 0x3f000000 0x3f000000))
    (local.set $c51 (v128.const i8x16 51 51 51 51 51 51 51 51 51 51 51 51 51 51 51 51))
    (local.set $c26 (v128.const i8x16 26 26 26 26 26 26 26 26 26 26 26 26 26 26 26 26))
    (local.set $c13 (v128.const i8x16 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13))
    (local.set $lut (v128.const i8x16 71 252 252 252 252 252 252 252 252 252 252 237 240 65 0 0))
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $record
        (local.set $src (i32.load (local.get $desc)))
        (local.set $end (i32.add (local.get $src) (i32.load offset=4 (local.get $desc))))
        (local.set $tail (i32.load offset=8 (local.get $desc)))
        (local.set $close (i32.load offset=12 (local.get $desc)))
        (local.set $closeEnd (i32.add (local.get $close) (i32.load offset=16 (local.get $desc))))
        (local.set $desc (i32.add (local.get $desc) (i32.const 20)))
        (if (local.get $k)
          (then
            (i32.store8 (local.get $dst) (i32.const 0x2c))
            (local.set $dst (i32.add (local.get $dst) (i32.const 1)))))
        ;; {"Data":"
        (i64.store (local.get $dst) (i64.const 0x3a2261746144227b))
        (i32.store8 offset=8 (local.get $dst) (i32.const 0x22))
        (local.set $dst (i32.add (local.get $dst) (i32.const 9)))
        ;; 12 bytes to 16 characters at a time
        (block $short
          (br_if $short (i32.lt_s (i32.sub (local.get $end) (local.get $src)) (i32.const 12)))
          (loop $block
            (local.set $x (i8x16.shuffle 2 1 0 0 5 4 3 3 8 7 6 6 11 10 9 9
              (v128.load (local.get $src)) (v128.load (local.get $src))))
            (local.set $x
              (v128.or
                (v128.or
                  (v128.and (i32x4.shr_u (local.get $x) (i32.const 18)) (local.get $m18))
                  (v128.and (i32x4.shr_u (local.get $x) (i32.const 4)) (local.get $m4)))
                (v128.or
                  (v128.and (i32x4.shl (local.get $x) (i32.const 10)) (local.get $m10))
                  (v128.and (i32x4.shl (local.get $x) (i32.const 24)) (local.get $m24)))))
            (v128.store (local.get $dst)
              (i8x16.add (local.get $x)
                (i8x16.swizzle (local.get $lut)
                  (v128.or
                    (i8x16.sub_sat_u (local.get $x) (local.get $c51))
                    (v128.and (i8x16.lt_u (local.get $x) (local.get $c26)) (local.get $c13))))))
            (local.set $src (i32.add (local.get $src) (i32.const 12)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
            (br_if $block (i32.ge_s (i32.sub (local.get $end) (local.get $src)) (i32.const 12)))))
        ;; then 3 bytes at a time
        (block $few
          (br_if $few (i32.lt_s (i32.sub (local.get $end) (local.get $src)) (i32.const 3)))
          (loop $group
            (call $quad
              (i32.or (i32.or
                (i32.shl (i32.load8_u (local.get $src)) (i32.const 16))
                (i32.shl (i32.load8_u offset=1 (local.get $src)) (i32.const 8)))
                (i32.load8_u offset=2 (local.get $src)))
              (local.get $dst))
            (local.set $src (i32.add (local.get $src) (i32.const 3)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
            (br_if $group (i32.ge_s (i32.sub (local.get $end) (local.get $src)) (i32.const 3)))))
        ;; the last 0 to 2 bytes and the tail: $c bytes in $v, from the top
        (local.set $c (i32.sub (local.get $end) (local.get $src)))
        (local.set $v (i32.const 0))
        (if (local.get $c) (then (local.set $v (i32.load8_u (local.get $src)))))
        (if (i32.eq (local.get $c) (i32.const 2))
          (then (local.set $v (i32.or (i32.shl (local.get $v) (i32.const 8)) (i32.load8_u offset=1 (local.get $src))))))
        (if (i32.ge_s (local.get $tail) (i32.const 0))
          (then
            (local.set $v (i32.or (i32.shl (local.get $v) (i32.const 8)) (local.get $tail)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))))
        (if (local.get $c)
          (then
            (call $quad (i32.shl (local.get $v) (i32.mul (i32.sub (i32.const 3) (local.get $c)) (i32.const 8))) (local.get $dst))
            ;; padding: `=` for each byte short of 3
            (if (i32.lt_s (local.get $c) (i32.const 3)) (then (i32.store8 offset=3 (local.get $dst) (i32.const 0x3d))))
            (if (i32.eq (local.get $c) (i32.const 1)) (then (i32.store8 offset=2 (local.get $dst) (i32.const 0x3d))))
            (local.set $dst (i32.add (local.get $dst) (i32.const 4)))))
        ;; the closing bytes, one at a time (a few: a call to memory.copy would cost more)
        (block $closed
          (br_if $closed (i32.ge_u (local.get $close) (local.get $closeEnd)))
          (loop $byte
            (i32.store8 (local.get $dst) (i32.load8_u (local.get $close)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
            (local.set $close (i32.add (local.get $close) (i32.const 1)))
            (br_if $byte (i32.lt_u (local.get $close) (local.get $closeEnd)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br_if $record (i32.lt_u (local.get $k) (local.get $n)))))
    (local.get $dst))
)
