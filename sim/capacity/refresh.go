package capacity

import (
	"fmt"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// MaintenancePolicy is a group's instance maintenance policy. AWS (EC2 Auto
// Scaling, InstanceMaintenancePolicy): MinHealthyPercentage 0-100 ("the
// minimum percentage of the group to keep in service, healthy, and ready
// ... when replacing instances") and MaxHealthyPercentage 100-200 ("the
// maximum percentage of the group that can be in service and healthy, or
// pending"), both of the desired capacity, at most 100 apart. An instance
// refresh without its own percentages takes them ("you no longer have to
// specify values ... for the instance refresh feature unless you want to
// override"); Capacity Rebalancing with MaxHealthyPercentage 100 terminates
// the at-risk instance before its replacement launches ("Terminate and
// launch"), above 100 launches first ("Launch before terminating").
type MaintenancePolicy struct {
	MinHealthyPercentage, MaxHealthyPercentage int
}

// RefreshPreferences are an instance refresh's (StartInstanceRefresh,
// RefreshPreferences). AWS: MinHealthyPercentage default 90,
// MaxHealthyPercentage default 100 (unless the group has an instance
// maintenance policy); CheckpointDelay default 3600 s; InstanceWarmup
// defaults to the group's default instance warmup or its health check grace
// period (fleetsim has neither: choice 300 s, the console's grace period).
type RefreshPreferences struct {
	MinHealthyPercentage  int           // < 0: unset
	MaxHealthyPercentage  int           // < 0: unset
	InstanceWarmup        time.Duration // < 0: unset
	CheckpointPercentages []int         // ascending, the last 100 or less
	CheckpointDelay       time.Duration // < 0: unset
}

// refreshRun is an instance refresh under way on a group: every instance
// launched before it (an index below firstNew: indexes are never reused)
// is replaced, in batches that keep at least minHealthy instances in
// service and warmed up, and at most maxTotal counted.
type refreshRun struct {
	firstNew            int32
	total               int // instances to replace, at the start
	minPct, maxPct      int
	warmup, delay       des.Time
	checkpoints         []int
	pausedUntil         des.Time
	replacedAtLastCheck int
}

// StartInstanceRefresh starts an instance refresh of group gi. AWS rejects
// a second one while one is in progress: so does this (an event says so).
func (f *Fleet) StartInstanceRefresh(gi int, p RefreshPreferences) {
	g := &f.groups[gi]
	if g.cfg.Direct {
		return
	}
	if g.refresh != nil {
		f.event(schema.InstanceRefresh, g.cfg.Name, g.cfg.Name, "Rejected", "An instance refresh is already in progress", "")
		return
	}
	minPct, maxPct := 90, 100
	if m := g.cfg.Maintenance; m != nil {
		minPct, maxPct = m.MinHealthyPercentage, m.MaxHealthyPercentage
	}
	if p.MinHealthyPercentage >= 0 {
		minPct = p.MinHealthyPercentage
	}
	if p.MaxHealthyPercentage >= 0 {
		maxPct = p.MaxHealthyPercentage
	}
	warmup, delay := 300*time.Second, time.Hour
	if p.InstanceWarmup >= 0 {
		warmup = p.InstanceWarmup
	}
	if p.CheckpointDelay >= 0 {
		delay = p.CheckpointDelay
	}
	r := &refreshRun{firstNew: int32(len(f.instances)), minPct: minPct, maxPct: maxPct,
		warmup: des.At(warmup), delay: des.At(delay), checkpoints: p.CheckpointPercentages}
	for _, i := range g.instances {
		if f.instances[i].counts() {
			r.total++
		}
	}
	g.refresh = r
	f.event(schema.InstanceRefresh, g.cfg.Name, g.cfg.Name, "InProgress",
		fmt.Sprintf("%d instances, min healthy %d%%, max healthy %d%%", r.total, minPct, maxPct), "")
	f.refreshStep(gi)
}

// healthyBounds are the refresh's bounds on group g now: at least minH
// counted instances in service and warmed up (InstanceWarmup after their
// registration), at most maxT counted. AWS
// does not say how the percentages round: minimum rounded up, maximum down
// (choice, the safe side of each); a minimum of the whole group lets one
// instance above it so that the refresh can go on.
func (r *refreshRun) healthyBounds(desired int) (minH, maxT int) {
	minH = (desired*r.minPct + 99) / 100
	maxT = desired * r.maxPct / 100
	if maxT <= minH && minH >= desired {
		maxT = desired + 1
	}
	return minH, max(maxT, desired)
}

// refreshStep moves group gi's refresh on: it terminates old instances
// while enough healthy ones stay, launches replacements while the group is
// under its maximum, pauses at checkpoints, and ends when no old instance
// is left and every new one is warmed up. It runs again when the next new
// instance has warmed up.
func (f *Fleet) refreshStep(gi int) {
	g := &f.groups[gi]
	r := g.refresh
	now := f.eng.Now()
	if r == nil || now < r.pausedUntil {
		return
	}
	healthy, oldLeft, fresh, booting := 0, 0, 0, 0
	next := des.Time(-1) // when the next new instance will have warmed up
	for _, i := range g.instances {
		in := &f.instances[i]
		if !in.counts() {
			continue
		}
		if i < r.firstNew {
			oldLeft++
			if in.Lifecycle == InService {
				healthy++
			}
			continue
		}
		fresh++
		switch warm := in.registered + r.warmup; {
		case in.Lifecycle == Pending:
			booting++ // its registration runs the next step (refreshRegistered)
		case now >= warm:
			healthy++
		case next < 0 || warm < next:
			next = warm
		}
	}
	replaced := r.total - oldLeft
	if len(r.checkpoints) > 0 && next < 0 && booting == 0 && replaced > r.replacedAtLastCheck && replaced*100 >= r.checkpoints[0]*r.total {
		r.checkpoints, r.replacedAtLastCheck = r.checkpoints[1:], replaced
		if replaced < r.total {
			r.pausedUntil = now + r.delay
			f.event(schema.InstanceRefresh, g.cfg.Name, g.cfg.Name, "InProgress", fmt.Sprintf("checkpoint: %d of %d replaced", replaced, r.total), "")
			f.eng.At(r.pausedUntil, f.x.refresh, int32(gi))
			return
		}
	}
	if oldLeft == 0 && next < 0 && booting == 0 {
		g.refresh = nil
		f.event(schema.InstanceRefresh, g.cfg.Name, g.cfg.Name, "Successful", fmt.Sprintf("%d instances replaced", r.total), "")
		return
	}
	minH, maxT := r.healthyBounds(g.desired)
	for oldLeft > 0 && healthy-1 >= minH {
		victim := f.refreshVictim(g, r)
		if victim < 0 {
			break
		}
		f.terminate(victim, "instance-refresh")
		healthy--
		oldLeft--
	}
	for g.live < maxT && fresh < g.desired && g.live-oldLeft < g.desired {
		i := f.launch(g, false)
		if i < 0 {
			break
		}
		fresh++
		if f.instances[i].Lifecycle == Pending {
			booting++
		}
	}
	if oldLeft == 0 && next < 0 && booting == 0 {
		g.refresh = nil
		f.event(schema.InstanceRefresh, g.cfg.Name, g.cfg.Name, "Successful", fmt.Sprintf("%d instances replaced", r.total), "")
		return
	}
	switch {
	case next >= 0:
		f.eng.At(next, f.x.refresh, int32(gi))
	case booting == 0:
		f.eng.At(now+des.At(time.Minute), f.x.refresh, int32(gi)) // waiting on protected or draining instances: look again
	}
}

// refreshRegistered runs group g's refresh again when a new instance has
// warmed up after its registration.
func (f *Fleet) refreshRegistered(i int32) {
	in := &f.instances[i]
	in.registered = f.eng.Now()
	g := &f.groups[in.Group]
	if r := g.refresh; r != nil && i >= r.firstNew {
		f.eng.At(in.registered+r.warmup, f.x.refresh, int32(in.Group))
	}
}

// refreshVictim is the next old instance to replace: in service and not
// protected from scale-in (AWS's default preference skips protected
// instances: ScaleInProtectedInstances Ignore), by the termination
// policy's zone and billing-hour steps.
func (f *Fleet) refreshVictim(g *group, r *refreshRun) int32 {
	var cands []int32
	for _, i := range g.instances {
		if in := &f.instances[i]; i < r.firstNew && in.Lifecycle == InService && !f.orch.ScaleInProtected(i) {
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 {
		return -1
	}
	bestAZ := -1
	for _, i := range cands {
		if z := f.instances[i].AZ; bestAZ < 0 || g.liveAZ[z] > g.liveAZ[bestAZ] || (g.liveAZ[z] == g.liveAZ[bestAZ] && z < bestAZ) {
			bestAZ = z
		}
	}
	kept := cands[:0]
	for _, i := range cands {
		if f.instances[i].AZ == bestAZ {
			kept = append(kept, i)
		}
	}
	return g.closestToBillingHour(f, kept)
}

// Refreshing reports whether group gi has an instance refresh in progress.
func (f *Fleet) Refreshing(gi int) bool { return f.groups[gi].refresh != nil }
