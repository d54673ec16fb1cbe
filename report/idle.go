package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// IdleCause is one reason EC2 capacity that no task reserved was there.
type IdleCause uint8

// The causes, in the order the idle figure stacks them (bottom first).
const (
	IdleRoom       IdleCause = iota // CPU and memory both left on instances that run tasks
	IdleMemoryLeft                  // memory left on instances whose CPU tasks reserved further
	IdleCPULeft                     // CPU left on instances whose memory tasks reserved further
	IdleMinSize                     // empty instances the group's min_size keeps
	IdleTarget                      // empty spare instances for a target capacity below 100%
	IdleScaleIn                     // empty instances waiting for managed scaling to scale in
	IdleFixed                       // empty instances of a group that nothing scales
	IdleWarmup                      // registered, waiting for a first task
	IdleBoot                        // launched, not yet registered
	IdleDraining                    // draining before termination
	IdleBilling                     // the 60-second minimum and rounding up to whole seconds
	numIdleCauses
)

// idleLabels are the causes' short names, for the legend and the table.
var idleLabels = [numIdleCauses]string{
	"room on instances running tasks", "memory left, CPU fuller", "CPU left, memory fuller",
	"empty: min_size", "empty: target capacity", "empty: awaiting scale-in", "empty: fixed-size group",
	"waiting for a first task", "booting", "draining", "billing minimum",
}

// IdleExplanation explains the idle capacity of cost.json (the owner "idle
// capacity": EC2 seconds billed that no task reserved, CPU and memory
// weighing half each, as ComputeCost shares instances) by what held it.
type IdleExplanation struct {
	USD    USD         // cost.json's idle capacity
	Share  float64     // of the whole bill, 0..1
	Causes []IdleShare // the causes with a cost, dearest first
	// Step is the figure's bucket; Rate[c][k] is cause c's idle cost in
	// bucket k, in USD per hour.
	Step time.Duration
	Rate [numIdleCauses][]float64
}

// IdleShare is what one cause cost, and why, with the run's numbers.
type IdleShare struct {
	Cause  IdleCause
	Label  string
	USD    USD
	Short  string // for a sentence: "min_size 2 of asg-main kept 1.4 instances empty for 14 h"
	Detail string // for a table, with more numbers
}

// idleInstance is one billed instance as the idle sweep sees it.
type idleInstance struct {
	usdPerSec         float64
	cpuReg, memReg    float64 // registered CPU units and MiB
	launch, reg, term float64 // seconds; reg = term when it never registered
	drain             float64 // seconds; term when it never drained
	group             int
	typ               string
}

// groupDelta changes one group's counts at a time: instances booting,
// running tasks, and empty (warm: before their first task).
type groupDelta struct {
	at               float64
	seq              int
	group            int
	boot, busy       int
	warm, cold       int
	warmUSD, coldUSD float64 // per second
}

// idleLedger accumulates the idle sweep.
type idleLedger struct {
	res    *sim.Result
	cost   *Cost
	step   float64
	usd    [numIdleCauses]float64
	rate   [numIdleCauses][]float64 // USD per bucket, made per hour at the end
	deltas []groupDelta
	groups []idleGroupStats
	// whole-run instance-seconds by state, for the details
	bootSec, warmSec, drainSec float64
	launches                   int
	// by instance type: the memory-left and CPU-left cost, and each
	// owner's task-seconds, for the shape details
	shapeUSD  map[string]*[2]float64
	ownerSecs map[string]map[int32]*ownerHeld
	typeFill  map[string]*[4]float64 // reserved and registered CPU and MiB seconds
}

// idleGroupStats are one Auto Scaling group's numbers for the details.
type idleGroupStats struct {
	busySec                                    float64 // instance-seconds running tasks
	cpuResSec, cpuRegSec, memResSec, memRegSec float64 // of those instances
	minHeldSec, minHeldInstSec                 float64 // time min_size held an empty instance; instance-seconds held
	targetHeldSec, targetHeldInstSec           float64
	coldInstSec, fixedInstSec                  float64
	// time some instance ran tasks, and of it the time no instance was
	// left to remove: every one ran a task or min_size or the target kept it
	usedSec, fullSec float64
}

// ExplainIdle says what held the run's idle EC2 capacity: instances booting
// or waiting for a first task, empty instances kept by the group's min_size,
// by a target capacity below 100% or waiting for scale-in, instances
// draining, and, on instances that run tasks, the memory (or CPU) left when
// the other resource is fuller and the room left in both (tasks spread over
// more instances than they fill; an instance running a task is not scaled in,
// and ECS does not move running tasks). The causes sum to cost.json's idle
// capacity: what is left over is the billing minimum (IdleBilling).
func ExplainIdle(res *sim.Result, cost *Cost) (*IdleExplanation, error) {
	out := &IdleExplanation{USD: idle(cost)}
	if cost.TotalUSD > 0 {
		out.Share = float64(out.USD) / float64(cost.TotalUSD)
	}
	if len(res.Instances) == 0 {
		return out, nil
	}
	l := &idleLedger{res: res, cost: cost, groups: make([]idleGroupStats, len(res.Config.Groups)),
		shapeUSD: map[string]*[2]float64{}, ownerSecs: map[string]map[int32]*ownerHeld{}, typeFill: map[string]*[4]float64{}}
	out.Step = idleStep(res.End.Duration())
	l.step = out.Step.Seconds()
	n := int(math.Ceil(res.End.Duration().Seconds() / l.step))
	for c := range l.rate {
		l.rate[c] = make([]float64, max(n, 1))
	}
	insts, err := idleInstances(res, cost)
	if err != nil {
		return nil, err
	}
	byInst := tasksByInstance(res)
	for i := range insts {
		if insts[i].usdPerSec > 0 {
			l.instance(&insts[i], res, byInst[i])
		}
	}
	l.sweepGroups()
	var sum float64
	for c := range numIdleCauses {
		sum += l.usd[c]
	}
	l.usd[IdleBilling] = max(float64(out.USD)-sum, 0)
	for c := range numIdleCauses {
		for k := range l.rate[c] {
			l.rate[c][k] *= 3600 / l.step
		}
		out.Rate[c] = l.rate[c]
		if l.usd[c] >= 0.0005*float64(out.USD) && l.usd[c] > 0 {
			w := l.detail(c)
			out.Causes = append(out.Causes, IdleShare{Cause: c, Label: idleLabels[c], USD: USD(l.usd[c]), Short: w.short, Detail: w.long})
		}
	}
	slices.SortStableFunc(out.Causes, func(a, b IdleShare) int { return cmp.Compare(b.USD, a.USD) })
	return out, nil
}

// idleStep is the idle figure's bucket: the shortest of a few round lengths
// that cuts the run into at most 600.
func idleStep(d time.Duration) time.Duration {
	for _, s := range []time.Duration{time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour} {
		if d/s <= 600 {
			return s
		}
	}
	return 2 * time.Hour
}

// idleInstances prices each instance per second, with its registered size
// and the times it registered and began draining (from the event log). An
// instance that is not billed (FreeSpotInterruption) costs 0.
func idleInstances(res *sim.Result, cost *Cost) ([]idleInstance, error) {
	if cost.Prices.Catalog == nil {
		return nil, fmt.Errorf("report: idle capacity: no instance catalog, instance sizes are unknown")
	}
	index := make(map[string]int, len(res.Instances))
	out := make([]idleInstance, len(res.Instances))
	for i := range res.Instances {
		in := &res.Instances[i]
		index[in.ID] = i
		term := in.Terminated.Duration().Seconds()
		out[i] = idleInstance{launch: in.Launched.Duration().Seconds(), reg: term, term: term, drain: term, group: in.Group, typ: in.Type}
		if FreeSpotInterruption(in.InstanceUsage) {
			continue
		}
		perHour, err := cost.Prices.InstanceUSDPerHour(in.Type, in.Purchase)
		if err != nil {
			return nil, err
		}
		if life := BilledSeconds(in.Launched, in.Terminated, time.Second); in.Purchase == capacity.Spot && cost.Prices.varyingSpot() && life > 0 {
			// The instance's mean Spot price over its life (choice: idle
			// capacity is split per second at one rate per instance).
			usd, err := cost.Prices.SpotUSD(in.Type, in.AZ, in.Launched, life)
			if err != nil {
				return nil, err
			}
			perHour = usd / (float64(life) / 3600)
		}
		it, ok := cost.Prices.Catalog.Lookup(in.Type)
		if !ok {
			return nil, fmt.Errorf("report: instance type %q: not in the catalog, its size is unknown", in.Type)
		}
		out[i].usdPerSec = perHour / 3600
		out[i].cpuReg = float64(it.VCPU * 1024)
		out[i].memReg = float64(res.Config.Settings.RegisteredMemoryMiB(it))
	}
	for _, e := range res.Events {
		i, ok := index[e.Subject]
		if !ok {
			continue
		}
		at := e.At.Duration().Seconds()
		switch e.Type {
		case schema.InstanceRegistered:
			out[i].reg = min(out[i].reg, at)
		case schema.InstanceDraining:
			out[i].drain = min(out[i].drain, at)
		}
	}
	return out, nil
}

// tasksByInstance lists each instance's task usage records.
func tasksByInstance(res *sim.Result) [][]int32 {
	out := make([][]int32, len(res.Instances))
	for i, t := range res.Tasks.All() {
		if t.Instance >= 0 {
			out[t.Instance] = append(out[t.Instance], int32(i))
		}
	}
	return out
}

// reservationStep is a change of an instance's reserved CPU and memory.
type reservationStep struct {
	at       float64
	cpu, mem float64
}

// instance charges one instance's idle seconds: booting, then registered
// (empty or running tasks), then draining.
func (l *idleLedger) instance(in *idleInstance, res *sim.Result, tasks []int32) {
	l.launches++
	steps := make([]reservationStep, 0, 2*len(tasks))
	first := in.term
	for _, ti := range tasks {
		t := res.Tasks.At(int(ti))
		// whole clock seconds, as ComputeCost charges owners
		s0, s1 := float64(t.Start.Duration()/time.Second), float64(t.Stop.Duration()/time.Second)
		if s1 <= s0 {
			continue
		}
		cpu, mem := float64(t.CPUUnits), float64(t.MemoryMiB)
		steps = append(steps, reservationStep{s0, cpu, mem}, reservationStep{s1, -cpu, -mem})
		l.held(in.typ, t.Owner, s1-s0, cpu, mem)
		first = min(first, s0)
	}
	slices.SortStableFunc(steps, func(a, b reservationStep) int { return cmp.Compare(a.at, b.at) })
	l.charge(IdleBoot, in.launch, in.reg, in.usdPerSec)
	l.bootSec += in.reg - in.launch
	l.groupChange(in.launch, in.group, groupDelta{boot: 1})
	l.groupChange(in.reg, in.group, groupDelta{boot: -1})
	var cpu, mem float64
	at := in.reg
	state := 0 // the group counts it as: 0 none, 1 busy, 2 warm, 3 cold
	for k := 0; k <= len(steps); k++ {
		next := in.term
		if k < len(steps) {
			next = min(max(steps[k].at, in.reg), in.term)
		}
		if next > at {
			state = l.segment(in, at, next, cpu, mem, first, state)
			at = next
		}
		if k < len(steps) {
			cpu, mem = cpu+steps[k].cpu, mem+steps[k].mem
		}
	}
	l.setState(in, in.term, state, 0)
}

// segment charges [t0, t1) of a registered instance reserving cpu and mem,
// and returns the state the group counts it in.
func (l *idleLedger) segment(in *idleInstance, t0, t1, cpu, mem, first float64, state int) int {
	if t0 < in.drain && t1 > in.drain {
		state = l.segment(in, t0, in.drain, cpu, mem, first, state)
		t0 = in.drain
	}
	c, m := min(max(cpu/in.cpuReg, 0), 1), min(max(mem/in.memReg, 0), 1)
	if t0 >= in.drain {
		l.charge(IdleDraining, t0, t1, in.usdPerSec*(1-(c+m)/2))
		l.drainSec += t1 - t0
		return l.setState(in, t0, state, 0)
	}
	if cpu <= 0 && mem <= 0 {
		if t0 < first {
			return l.setState(in, t0, state, 2)
		}
		return l.setState(in, t0, state, 3)
	}
	g := &l.groups[in.group]
	dt := t1 - t0
	g.busySec += dt
	g.cpuResSec, g.cpuRegSec = g.cpuResSec+min(cpu, in.cpuReg)*dt, g.cpuRegSec+in.cpuReg*dt
	g.memResSec, g.memRegSec = g.memResSec+min(mem, in.memReg)*dt, g.memRegSec+in.memReg*dt
	hi, lo := max(c, m), min(c, m)
	l.charge(IdleRoom, t0, t1, in.usdPerSec*(1-hi))
	left, k := IdleCPULeft, 1
	if c > m {
		left, k = IdleMemoryLeft, 0
	}
	l.charge(left, t0, t1, in.usdPerSec*(hi-lo)/2)
	if l.shapeUSD[in.typ] == nil {
		l.shapeUSD[in.typ], l.typeFill[in.typ] = &[2]float64{}, &[4]float64{}
	}
	l.shapeUSD[in.typ][k] += in.usdPerSec * (hi - lo) / 2 * dt
	tf := l.typeFill[in.typ]
	tf[0], tf[1], tf[2], tf[3] = tf[0]+min(cpu, in.cpuReg)*dt, tf[1]+in.cpuReg*dt, tf[2]+min(mem, in.memReg)*dt, tf[3]+in.memReg*dt
	return l.setState(in, t0, state, 1)
}

// setState moves an instance between the group's counts at t.
func (l *idleLedger) setState(in *idleInstance, t float64, from, to int) int {
	if from == to {
		return to
	}
	var d groupDelta
	d.add(from, -1, in.usdPerSec)
	d.add(to, 1, in.usdPerSec)
	l.groupChange(t, in.group, d)
	return to
}

// add counts an instance in state s (1 busy, 2 warm, 3 cold; 0 none)
// sign times.
func (d *groupDelta) add(s, sign int, usdPerSec float64) {
	switch s {
	case 1:
		d.busy += sign
	case 2:
		d.warm += sign
		d.warmUSD += float64(sign) * usdPerSec
	case 3:
		d.cold += sign
		d.coldUSD += float64(sign) * usdPerSec
	}
}

func (l *idleLedger) groupChange(t float64, g int, d groupDelta) {
	d.at, d.group, d.seq = t, g, len(l.deltas)
	l.deltas = append(l.deltas, d)
}

// charge adds usdPerSec over [t0, t1) to cause c, bucket by bucket.
func (l *idleLedger) charge(c IdleCause, t0, t1, usdPerSec float64) {
	if t1 <= t0 || usdPerSec <= 0 {
		return
	}
	l.usd[c] += usdPerSec * (t1 - t0)
	last := len(l.rate[c]) - 1
	for t0 < t1 {
		k := min(int(t0/l.step), last)
		end := t1
		if k < last {
			end = min(t1, float64(k+1)*l.step)
		}
		l.rate[c][k] += usdPerSec * (end - t0)
		t0 = end
	}
}

// groupState is one group's counts during the group sweep.
type groupState struct {
	boot, busy, warm, cold int
	warmUSD, coldUSD       float64
}

// sweepGroups shares each empty instance's cost, over time, between what
// kept it: the group's min_size, a target capacity below 100% (ECS keeps
// N = ceil(M x 100 / target) instances for M running tasks), and
// otherwise a first task not yet placed or scale-in not yet done (or, with
// no managed scaling, a group whose desired capacity nothing changes). The instances that min_size and
// the target keep are max(min_size, ceil(M x 100 / target)) - M - booting.
func (l *idleLedger) sweepGroups() {
	slices.SortFunc(l.deltas, func(a, b groupDelta) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.seq, b.seq)) })
	st := make([]groupState, len(l.groups))
	target, minSize, managed := l.groupPolicies()
	for k, d := range l.deltas {
		g := &st[d.group]
		g.boot, g.busy, g.warm, g.cold = g.boot+d.boot, g.busy+d.busy, g.warm+d.warm, g.cold+d.cold
		g.warmUSD, g.coldUSD = g.warmUSD+d.warmUSD, g.coldUSD+d.coldUSD
		if k+1 == len(l.deltas) || l.deltas[k+1].at <= d.at {
			continue
		}
		t0, t1 := d.at, l.deltas[k+1].at
		for gi := range st {
			l.emptyInterval(gi, &st[gi], t0, t1, target[gi], minSize[gi], managed[gi])
		}
	}
}

// emptyInterval charges a group's empty instances over [t0, t1).
func (l *idleLedger) emptyInterval(gi int, g *groupState, t0, t1 float64, target, minSize int, managed bool) {
	empty := g.warm + g.cold
	if g.busy > 0 && empty == 0 {
		l.groups[gi].usedSec += t1 - t0
		l.groups[gi].fullSec += t1 - t0
	}
	if empty <= 0 {
		return
	}
	need := 0
	if g.busy > 0 {
		need = int(math.Ceil(float64(g.busy) * 100 / float64(target)))
	}
	byMin := minSize >= need
	held := min(max(max(minSize, need)-g.busy-g.boot, 0), empty)
	h := float64(held) / float64(empty)
	usd := g.warmUSD + g.coldUSD
	dt := t1 - t0
	s := &l.groups[gi]
	if g.busy > 0 {
		s.usedSec += dt
		if held == empty {
			s.fullSec += dt
		}
	}
	if held > 0 {
		cause := IdleTarget
		if byMin {
			cause, s.minHeldSec, s.minHeldInstSec = IdleMinSize, s.minHeldSec+dt, s.minHeldInstSec+float64(held)*dt
		} else {
			s.targetHeldSec, s.targetHeldInstSec = s.targetHeldSec+dt, s.targetHeldInstSec+float64(held)*dt
		}
		l.charge(cause, t0, t1, usd*h)
	}
	if !managed { // nothing sizes the group: its desired capacity keeps them all
		l.charge(IdleFixed, t0, t1, usd*(1-h))
		s.fixedInstSec += float64(empty) * (1 - h) * dt
		return
	}
	l.charge(IdleWarmup, t0, t1, g.warmUSD*(1-h))
	l.warmSec += float64(g.warm) * (1 - h) * dt
	l.charge(IdleScaleIn, t0, t1, g.coldUSD*(1-h))
	s.coldInstSec += float64(g.cold) * (1 - h) * dt
}

// groupPolicies are each group's managed-scaling target capacity (100
// without managed scaling), min_size, and whether managed scaling sizes it.
func (l *idleLedger) groupPolicies() (target, minSize []int, managed []bool) {
	cfg := l.res.Config
	target, minSize, managed = make([]int, len(cfg.Groups)), make([]int, len(cfg.Groups)), make([]bool, len(cfg.Groups))
	for g, gc := range cfg.Groups {
		target[g], minSize[g] = 100, gc.MinSize
	}
	for _, p := range cfg.CapacityProviders {
		if p.ManagedScaling != nil && p.ManagedScaling.TargetCapacity > 0 {
			target[p.Group], managed[p.Group] = p.ManagedScaling.TargetCapacity, true
		}
	}
	return target, minSize, managed
}
