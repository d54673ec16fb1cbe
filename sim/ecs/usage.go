package ecs

import (
	"iter"

	"github.com/fleetsim/fleetsim/sim/des"
)

// Usage records are what billing needs, kept apart from the event log so that
// the cost model never parses events: one record per instance and per placed
// task.

// TaskUsage is one task's reservation, from placement (EC2) or the start of
// its image pull (Fargate) until it stopped or the run ended.
type TaskUsage struct {
	Owner     int32 // index into Owners
	Provider  int32 // index into Providers
	Instance  int32 // the fleet index of its instance (index into the run's instance usage); -1 for Fargate
	CPUUnits  int32
	MemoryMiB int32
	Def       int32 // index into Config.TaskDefinitions: its runtimePlatform prices a Fargate task
	Start     des.Time
	Stop      des.Time
}

// ProviderInfo describes a capacity provider of the run.
type ProviderInfo struct {
	Name    string
	Fargate bool // FARGATE or FARGATE_SPOT
	Spot    bool // FARGATE_SPOT
	Group   int  // index into Config.Groups, -1 for Fargate and the EC2 launch type
}

// OwnerInfo names a task owner: a service or a batch job.
type OwnerInfo struct {
	Name    string
	Service bool
}

// TaskUsages holds the task usage records of a run in fixed chunks: a run
// places a task every few events, and a slice grown by append would copy
// (and the collector scan) every record again each time it outgrows its
// array. The result keeps the chunks as they are: one slice made at the end
// would hold every record twice while it is filled (40 bytes a task placed,
// 68 MB for large-week), and push the heap's peak up by as much.
type TaskUsages struct {
	chunks [][]TaskUsage
	n      int
}

// usageLog is the record's name for the log the run appends to.
type usageLog = TaskUsages

const usageChunk = 1 << 15

func (l *TaskUsages) add(u TaskUsage) int32 {
	switch {
	case l.n == 0:
		// A run that places a handful of tasks (each run of a sweep) must
		// not zero a whole chunk: the first grows by append up to
		// usageChunk, the rest are made whole. Records are reached by index,
		// so the first chunk may move while it grows.
		l.chunks = append(l.chunks, make([]TaskUsage, 0, 64))
	case l.n%usageChunk == 0:
		l.chunks = append(l.chunks, make([]TaskUsage, 0, usageChunk))
	}
	c := &l.chunks[len(l.chunks)-1]
	*c = append(*c, u)
	l.n++
	return int32(l.n - 1)
}

func (l *TaskUsages) at(i int32) *TaskUsage { return &l.chunks[i/usageChunk][i%usageChunk] }

// Append adds a record at the end (for what builds a result by hand).
func (l *TaskUsages) Append(u TaskUsage) { l.add(u) }

// Len is the number of records.
func (l *TaskUsages) Len() int { return l.n }

// At is record i, 0 <= i < Len(), in the order the tasks were placed.
func (l *TaskUsages) At(i int) *TaskUsage { return &l.chunks[i/usageChunk][i%usageChunk] }

// All yields every record with its index, in order, as ranging over a slice
// of them would.
func (l *TaskUsages) All() iter.Seq2[int, TaskUsage] {
	return func(yield func(int, TaskUsage) bool) {
		i := 0
		for _, c := range l.chunks {
			for _, u := range c {
				if !yield(i, u) {
					return
				}
				i++
			}
		}
	}
}

// drain hands the records over and leaves the log empty.
func (l *TaskUsages) drain() TaskUsages {
	out := *l
	*l = TaskUsages{}
	return out
}

// startUsage opens a usage record for a task that has just been placed.
func (w *World) startUsage(ti int32, billFrom des.Time) {
	t := &w.tasks[ti]
	sp := &w.specs[t.spec]
	t.usage = w.rec.usage.add(TaskUsage{
		Owner: int32(w.owner(t)), Provider: int32(t.provider), Instance: t.instance,
		CPUUnits: int32(sp.cpu), MemoryMiB: int32(sp.memMiB), Def: int32(sp.def), Start: billFrom, Stop: -1,
	})
}

func (w *World) stopUsage(ti int32) {
	if u := w.tasks[ti].usage; u >= 0 {
		w.rec.usage.at(u).Stop = w.eng.Now()
	}
}

// usageResult returns the task usage records (tasks still running end at
// end), the capacity providers and the task owners.
func (w *World) usageResult(end des.Time) (TaskUsages, []ProviderInfo, []OwnerInfo) {
	var provs []ProviderInfo
	for i, p := range w.providers {
		provs = append(provs, ProviderInfo{Name: p.name, Fargate: p.fargate, Spot: i == provFargateSpot, Group: p.group})
	}
	// The run is over: its records go to the result.
	tasks := w.rec.usage.drain()
	for _, c := range tasks.chunks {
		for i := range c {
			if c[i].Stop < 0 {
				c[i].Stop = end
			}
		}
	}
	var owners []OwnerInfo
	for _, s := range w.cfg.Services {
		owners = append(owners, OwnerInfo{Name: s.Name, Service: true})
	}
	for _, j := range w.cfg.BatchJobs {
		owners = append(owners, OwnerInfo{Name: j.Name})
	}
	return tasks, provs, owners
}
