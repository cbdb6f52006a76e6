(module
  (func (i32.ad)))
