package sim

// SetSeq sets the sequence number e gives the next scheduled event, so that
// tests can drive the 32-bit counter across the wrap that renumber handles
// without scheduling 4.3e9 events.
func SetSeq(e *Engine, seq uint32) { e.seq = seq }
