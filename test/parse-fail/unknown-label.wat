(module
  (func $f (result i32)
    (block $outer
      (br $inner))
    (i32.const 0)))
