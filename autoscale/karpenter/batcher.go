package karpenter

import "time"

// Batcher is the provisioner's batching window: the first pending pod opens
// a batch; each pod seen extends it by Idle (batchIdleDuration, 1 s), up to
// Max from its start (batchMaxDuration, 10 s); then the batch is solved
// (pkg/controllers/provisioning/batcher.go).
type Batcher struct {
	Idle, Max   time.Duration
	open        bool
	start, last time.Duration
}

// NewBatcher returns a batcher with the given windows, the defaults for
// zero.
func NewBatcher(idle, maxWindow time.Duration) *Batcher {
	if idle <= 0 {
		idle = DefaultBatchIdleDuration
	}
	if maxWindow <= 0 {
		maxWindow = DefaultBatchMaxDuration
	}
	return &Batcher{Idle: idle, Max: maxWindow}
}

// Pod notes a pending pod at now and returns when the batch closes (the
// caller sets a timer then and calls Due).
func (b *Batcher) Pod(now time.Duration) time.Duration {
	if !b.open {
		b.open, b.start = true, now
	}
	b.last = now
	return b.Deadline()
}

// Open reports whether a batch is being collected.
func (b *Batcher) Open() bool { return b.open }

// Deadline is when the open batch closes: Idle after the last pod, at most
// Max after the first.
func (b *Batcher) Deadline() time.Duration { return min(b.last+b.Idle, b.start+b.Max) }

// Due reports whether the batch is over at now; if so it closes it.
func (b *Batcher) Due(now time.Duration) bool {
	if !b.open || now < b.Deadline() {
		return false
	}
	b.open = false
	return true
}
