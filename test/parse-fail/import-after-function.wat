(module
  (func $a)
  (import "m" "f" (func $b)))
