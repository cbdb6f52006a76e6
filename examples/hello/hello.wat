;; The classic first example: WebAssembly calls a host function that TypeScript provides.
(module $hello
  (import "host" "print" (func $print (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "Hello from TypeScript, WebAssembly!")
  (func (export "run")
    (call $print (i32.const 16) (i32.const 35))))
