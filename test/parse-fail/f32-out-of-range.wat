(module
  (func (f32.const 0x1p128)))
