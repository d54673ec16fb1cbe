package capacity

import (
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
)

// WarmPoolState is the state a warm pool keeps its instances in. AWS (EC2
// Auto Scaling, PutWarmPool, PoolState): Stopped (the default), Running or
// Hibernated.
type WarmPoolState uint8

// Warm pool states.
const (
	WarmStopped WarmPoolState = iota
	WarmRunning
	WarmHibernated
)

func (s WarmPoolState) String() string { return [...]string{"Stopped", "Running", "Hibernated"}[s] }

// WarmPoolConfig is a group's warm pool: instances launched and initialised
// beside the group, which a scale-out takes before it launches new ones.
// AWS (EC2 Auto Scaling, "Warm pools" and PutWarmPool):
//   - the pool holds MaxGroupPreparedCapacity - desired capacity instances
//     (MaxGroupPreparedCapacity unset: the group's maximum size), at least
//     MinSize (default 0); "If the desired capacity of the Auto Scaling
//     group is higher than the MaxGroupPreparedCapacity, the capacity of the
//     warm pool is 0, unless you specify a value for MinSize";
//   - an instance enters the pool through a full launch (the group's
//     LaunchTime), then waits in PoolState;
//   - ReuseOnScaleIn (InstanceReusePolicy, default false: "The default is to
//     terminate instances ... when the group scales in") returns instances
//     to the pool on scale-in instead of terminating them;
//   - billing: a Stopped or Hibernated instance pays for its EBS volumes
//     (and a hibernated one's RAM on disk) but not for EC2 time; a Running
//     one pays EC2 (fleetsim bills neither: WarmPoolUsage lists the Running
//     pool's instance time; EBS is not modelled).
//
// AWS does not document how long a warmed instance takes to come into
// service: StartTime (from Stopped or Hibernated, choice 30 s: the
// instance's start and the agent's registration) and RunningStartTime
// (choice 5 s: registration only) are settings.
type WarmPoolConfig struct {
	MinSize                  int
	MaxGroupPreparedCapacity int // < 0: unset (the group's MaxSize)
	PoolState                WarmPoolState
	ReuseOnScaleIn           bool
	StartTime                time.Duration
	RunningStartTime         time.Duration
}

// warmEntry is one instance in a warm pool.
type warmEntry struct {
	id    string
	ready des.Time // initialised (in PoolState) from then
	since des.Time // in the pool since (its Running time, for WarmPoolUsage)
}

// warmPool is a group's warm pool, oldest first.
type warmPool struct {
	entries       []warmEntry
	drawn, reused int             // instances taken into service; returned on scale-in
	runningUsage  []InstanceUsage // closed Running-pool intervals
	reuseMark     map[int32]bool  // instances scaled in that go back to the pool
}

// warmTarget is the number of instances the pool keeps for g.
func (g *group) warmTarget() int {
	wp := g.cfg.WarmPool
	prepared := wp.MaxGroupPreparedCapacity
	if prepared < 0 {
		prepared = g.cfg.MaxSize
	}
	return max(wp.MinSize, prepared-g.desired)
}

// fillWarmPool launches instances into g's pool up to its size; initial
// ones (the scenario's existing pool) are ready at once. Over its size, the
// newest go (AWS keeps the pool at its size).
func (f *Fleet) fillWarmPool(g *group, initial bool) {
	if g.pool == nil {
		return
	}
	now := f.eng.Now()
	for len(g.pool.entries)+len(g.pool.reuseMark) < g.warmTarget() { // those coming back count
		f.nextID++
		ready := now + des.At(g.cfg.LaunchTime)
		if initial {
			ready = now
		}
		g.pool.entries = append(g.pool.entries, warmEntry{id: instanceID(f.nextID), ready: ready, since: now})
	}
	for len(g.pool.entries) > 0 && len(g.pool.entries)+len(g.pool.reuseMark) > g.warmTarget() {
		g.closeWarm(g.pool.entries[len(g.pool.entries)-1], now)
		g.pool.entries = g.pool.entries[:len(g.pool.entries)-1]
	}
}

// closeWarm records the Running time of an entry leaving the pool.
func (g *group) closeWarm(e warmEntry, now des.Time) {
	if g.cfg.WarmPool.PoolState != WarmRunning || now <= e.since {
		return
	}
	t := g.cfg.InstanceTypes[0]
	g.pool.runningUsage = append(g.pool.runningUsage, InstanceUsage{ID: e.id, Type: t.Name, Group: g.idx,
		AZ: g.cfg.AvailabilityZones[0], Purchase: OnDemand, Launched: e.since, Terminated: now, End: EndTerminated})
}

// launchWarm takes the oldest initialised instance of g's pool into
// service, if there is one: it comes in after StartTime (RunningStartTime
// from a Running pool) instead of a full launch. A warm pool's group is
// On-Demand with one instance type (AWS: warm pools do not support mixed
// instances policies or Spot).
func (f *Fleet) launchWarm(g *group, az int) (int32, bool) {
	if g.pool == nil {
		return -1, false
	}
	now := f.eng.Now()
	k := -1
	for i, e := range g.pool.entries {
		if e.ready <= now {
			k = i
			break
		}
	}
	if k < 0 {
		return -1, false
	}
	e := g.pool.entries[k]
	g.pool.entries = append(g.pool.entries[:k], g.pool.entries[k+1:]...)
	g.closeWarm(e, now)
	g.pool.drawn++
	delay := g.cfg.WarmPool.StartTime
	if g.cfg.WarmPool.PoolState == WarmRunning {
		delay = g.cfg.WarmPool.RunningStartTime
	}
	f.override = startOverride{set: true, id: e.id, delay: delay}
	return f.start(g, g.cfg.InstanceTypes[0], az, OnDemand, false), true
}

// startOverride is what the next start takes from a warm pool: the pooled
// instance's ID and its time to come into service.
type startOverride struct {
	set   bool
	id    string
	delay time.Duration
}

// noteWarmReuse marks an instance scaled in from a group whose pool takes
// it back.
func (f *Fleet) noteWarmReuse(i int32, cause string) {
	g := &f.groups[f.instances[i].Group]
	if g.pool == nil || !g.cfg.WarmPool.ReuseOnScaleIn || cause != "scale-in" {
		return
	}
	if g.pool.reuseMark == nil {
		g.pool.reuseMark = map[int32]bool{}
	}
	g.pool.reuseMark[i] = true
}

// warmFinished returns a scaled-in instance to its pool (stopped again:
// initialised at once), keeping the pool within its size.
func (f *Fleet) warmFinished(i int32) {
	in := &f.instances[i]
	g := &f.groups[in.Group]
	if g.pool == nil {
		return
	}
	if g.pool.reuseMark[i] {
		delete(g.pool.reuseMark, i)
		now := f.eng.Now()
		g.pool.entries = append(g.pool.entries, warmEntry{id: in.ID, ready: now, since: now})
		g.pool.reused++
		if len(g.pool.entries)+len(g.pool.reuseMark) > g.warmTarget() {
			f.fillWarmPool(g, false) // over its size now: the newest go
		}
	}
}

// WarmPoolStats is a group's warm pool now and over the run.
type WarmPoolStats struct {
	Size, Ready   int // in the pool now; of which initialised
	Drawn, Reused int // over the run: taken into service; returned on scale-in
}

// WarmPool returns group gi's warm pool figures (zero without a pool).
func (f *Fleet) WarmPool(gi int) WarmPoolStats {
	g := &f.groups[gi]
	if g.pool == nil {
		return WarmPoolStats{}
	}
	st := WarmPoolStats{Size: len(g.pool.entries), Drawn: g.pool.drawn, Reused: g.pool.reused}
	for _, e := range g.pool.entries {
		if e.ready <= f.eng.Now() {
			st.Ready++
		}
	}
	return st
}

// WarmPoolUsage lists the EC2 time of Running warm pools' instances, the
// ones still in a pool ending at end (Stopped and Hibernated pools pay no
// EC2 time).
func (f *Fleet) WarmPoolUsage(end des.Time) []InstanceUsage {
	var out []InstanceUsage
	for gi := range f.groups {
		g := &f.groups[gi]
		if g.pool == nil {
			continue
		}
		out = append(out, g.pool.runningUsage...)
		if g.cfg.WarmPool.PoolState == WarmRunning {
			for _, e := range g.pool.entries {
				t := g.cfg.InstanceTypes[0]
				out = append(out, InstanceUsage{ID: e.id, Type: t.Name, Group: gi, AZ: g.cfg.AvailabilityZones[0],
					Purchase: OnDemand, Launched: e.since, Terminated: end})
			}
		}
	}
	return out
}
