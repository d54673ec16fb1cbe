package des

import (
	"hash/fnv"
	"math/rand/v2"
)

// Stream returns a random source named name, derived from the engine's seed
// and the name alone: adding a stream, or drawing from another one, never
// changes this stream's draws. Each call returns a fresh generator positioned
// at the start of the stream; callers keep the one they get.
func (e *Engine) Stream(name string) *rand.Rand { return NewStream(e.seed, name) }

// NewStream is Stream without an engine, for code that runs before one exists
// (scenario loading, sweeps deriving per-run seeds).
func NewStream(seed uint64, name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}
