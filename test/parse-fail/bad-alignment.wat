(module
  (memory 1)
  (func (i32.load align=3 (i32.const 0))))
