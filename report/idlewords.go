package report

// The words of the idle-capacity explanation: each cause's sentence, with
// the numbers ExplainIdle gathered.

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/fleetsim/fleetsim/placement"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// durHours formats instance-seconds or seconds as hours: "14 h", "0.4 h".
func durHours(sec float64) string {
	h := sec / 3600
	if h >= 9.95 {
		return count(int(math.Round(h))) + " h"
	}
	return strconv.FormatFloat(h, 'f', 1, 64) + " h"
}

// wording is why a cause held idle capacity, with the run's numbers: short
// for the sentence under the summary cards, long for the cost table.
type wording struct{ short, long string }

// detail words cause c.
func (l *idleLedger) detail(c IdleCause) wording {
	switch c {
	case IdleRoom:
		return l.roomDetail()
	case IdleMemoryLeft, IdleCPULeft:
		return l.shapeDetail(c)
	case IdleMinSize, IdleTarget:
		return l.heldDetail(c)
	case IdleScaleIn:
		return l.scaleInDetail()
	case IdleFixed:
		var sec float64
		for _, g := range l.groups {
			sec += g.fixedInstSec
		}
		return wording{durHours(sec) + " of instance time",
			"empty instances of groups without managed scaling, whose desired capacity nothing lowers: " + durHours(sec) + " of instance time"}
	case IdleWarmup:
		return l.warmupDetail()
	case IdleBoot:
		return l.bootDetail()
	case IdleDraining:
		return wording{durHours(l.drainSec) + " of instance time",
			"instances draining before they terminate (scale-in, Spot interruptions): " + durHours(l.drainSec) + " of instance time, less what their last tasks still reserved"}
	}
	return wording{"the 60-second minimum per launch", "the 60-second minimum of each launch and seconds rounded up, billed with no task on them"}
}

// fill is the share of the registered CPU and memory that tasks reserved
// on the instances running them, and those instances' time.
func (l *idleLedger) fill() (cpu, mem, busySec float64) {
	var cr, cg, mr, mg float64
	for _, g := range l.groups {
		cr, cg, mr, mg, busySec = cr+g.cpuResSec, cg+g.cpuRegSec, mr+g.memResSec, mg+g.memRegSec, busySec+g.busySec
	}
	if cg <= 0 || mg <= 0 {
		return 0, 0, busySec
	}
	return cr / cg, mr / mg, busySec
}

// roomDetail: how many instances ran tasks against how many the same
// reservations fill, and what spread them.
func (l *idleLedger) roomDetail() wording {
	cpu, mem, busy := l.fill()
	avg := busy / l.res.End.Duration().Seconds()
	fit := instanceCount(avg * max(cpu, mem))
	short := fmt.Sprintf("on average %s ran tasks whose reservations fit on %s", instances(avg), fit)
	long := fmt.Sprintf("on average %s ran tasks, with %s of their CPU and %s of their memory reserved: the same reservations fit on %s",
		instances(avg), pct0(cpu), pct0(mem), fit)
	var why, shortWhy []string
	for _, sp := range l.spreaders() {
		why, shortWhy = append(why, "placement of "+sp), append(shortWhy, sp)
	}
	if mtp := l.protected(); mtp != "" {
		w := "managed termination protection on " + mtp + " keeps an instance while it runs a task"
		shortWhy = append(shortWhy, w)
		if full, ok := l.nothingToRemove(); ok {
			w += fmt.Sprintf("; %s of the time every instance ran a task or was a spare the target or min_size kept (M = N at the target), so managed scaling had nothing to scale in", pct0(full))
		}
		why = append(why, w)
	}
	why = append(why, "ECS does not move running tasks to fill instances")
	if len(shortWhy) > 0 {
		short += ": " + strings.Join(shortWhy, "; ")
	}
	return wording{short, long + "; " + strings.Join(why, "; ")}
}

// nothingToRemove is the share of the time some instance ran tasks in
// which managed scaling had no instance to remove, over the groups with
// managed scaling and managed termination protection: every instance ran
// a task, or min_size or the target capacity kept it (M = N at the
// target).
func (l *idleLedger) nothingToRemove() (float64, bool) {
	var used, full float64
	for _, p := range l.res.Config.CapacityProviders {
		if p.ManagedScaling != nil && p.ManagedTerminationProtection {
			used, full = used+l.groups[p.Group].usedSec, full+l.groups[p.Group].fullSec
		}
	}
	if used <= 0 {
		return 0, false
	}
	return full / used, true
}

// spreaders says how the services and jobs that ran on EC2 are placed,
// where that spreads them: "web: spread over zones, then binpack memory"
// (a source service's copies named once).
func (l *idleLedger) spreaders() []string {
	cfg := l.res.Config
	onEC2 := make([]bool, len(l.res.Owners))
	for _, t := range l.res.Tasks.All() {
		if t.Instance >= 0 {
			onEC2[t.Owner] = true
		}
	}
	var order []string
	who := map[string][]string{}
	for o, info := range l.res.Owners {
		if !onEC2[o] {
			continue
		}
		strategies, dflt := placement.DefaultRunTaskStrategies(), " (RunTask's default)"
		if info.Service {
			strategies, dflt = placement.DefaultServiceStrategies(), " (ECS's default for services)"
			if si := slices.IndexFunc(cfg.Services, func(s ecs.ServiceConfig) bool { return s.Name == info.Name }); si >= 0 && len(cfg.Services[si].PlacementStrategy) > 0 {
				strategies, dflt = cfg.Services[si].PlacementStrategy, ""
			}
		}
		if !slices.ContainsFunc(strategies, func(s placement.Strategy) bool { return s.Kind != placement.BinpackStrategy }) {
			continue // binpack alone packs
		}
		d := describeStrategies(strategies) + dflt
		if _, ok := who[d]; !ok {
			order = append(order, d)
		}
		who[d] = append(who[d], info.Name)
	}
	var out []string
	for _, d := range order[:min(len(order), 3)] {
		names := who[d]
		var fams []string
		for _, f := range families(names) {
			fams = append(fams, familyName(f, names))
		}
		out = append(out, nameList(fams)+": "+d)
	}
	return out
}

// describeStrategies words a placement strategy chain: "spread over
// zones, then binpack memory".
func describeStrategies(ss []placement.Strategy) string {
	var parts []string
	for _, s := range ss {
		switch s.Kind {
		case placement.RandomStrategy:
			parts = append(parts, "random")
		case placement.BinpackStrategy:
			parts = append(parts, "binpack "+s.Field)
		case placement.SpreadStrategy:
			switch s.Field {
			case "instanceId", "host":
				parts = append(parts, "spread over instances")
			case "attribute:ecs.availability-zone":
				parts = append(parts, "spread over zones")
			default:
				parts = append(parts, "spread over "+strings.TrimPrefix(s.Field, "attribute:"))
			}
		}
	}
	return strings.Join(parts, ", then ")
}

// protected names the capacity providers with managed termination
// protection.
func (l *idleLedger) protected() string {
	var names []string
	for _, p := range l.res.Config.CapacityProviders {
		if p.ManagedTerminationProtection {
			names = append(names, p.Name)
		}
	}
	return nameList(names)
}

// nameList joins up to three names, then "and N more".
func nameList(names []string) string {
	const show = 3
	if len(names) > show {
		return strings.Join(names[:show], ", ") + fmt.Sprintf(" and %d more", len(names)-show)
	}
	return strings.Join(names, ", ")
}

func pct0(v float64) string { return strconv.FormatFloat(100*v, 'f', 0, 64) + "%" }

// shapeDetail: which resource tasks left, on the instance type where the
// cause cost most: its fill, its CPU to memory against its main owner's.
func (l *idleLedger) shapeDetail(c IdleCause) wording {
	k := 0
	if c == IdleCPULeft {
		k = 1
	}
	types := slices.Sorted(maps.Keys(l.shapeUSD))
	if len(types) == 0 {
		return wording{idleLabels[c], idleLabels[c]}
	}
	typ := slices.MaxFunc(types, func(a, b string) int {
		return cmp.Or(cmp.Compare(l.shapeUSD[a][k], l.shapeUSD[b][k]), cmp.Compare(b, a))
	})
	tf := l.typeFill[typ]
	cpu, mem := tf[0]/tf[1], tf[2]/tf[3]
	long := fmt.Sprintf("on the %s instances running tasks, tasks reserved %s of the CPU but %s of the memory", typ, pct0(cpu), pct0(mem))
	if c == IdleCPULeft {
		long = fmt.Sprintf("on the %s instances running tasks, tasks reserved %s of the memory but %s of the CPU", typ, pct0(mem), pct0(cpu))
	}
	task, inst := l.shapes(typ)
	if task == "" || inst == "" {
		return wording{long, long}
	}
	where := ""
	if len(types) > 1 {
		where = fmt.Sprintf(" (%s of it on %s)", pct0(l.shapeUSD[typ][k]/l.usd[c]), typ)
	}
	return wording{inst + "; " + task + where, long + ": " + inst + "; " + task + where}
}

// ownerHeld is what one owner's tasks held on one instance type:
// task-seconds, CPU-unit- and MiB-seconds, and whether their sizes differ.
type ownerHeld struct {
	sec, cpuSec, memSec float64
	cpu, mem            float64 // the first task's size
	varied              bool
}

// held adds a task's reservation to its owner's on instance type typ.
func (l *idleLedger) held(typ string, owner int32, sec, cpu, mem float64) {
	byOwner := l.ownerSecs[typ]
	if byOwner == nil {
		byOwner = map[int32]*ownerHeld{}
		l.ownerSecs[typ] = byOwner
	}
	h := byOwner[owner]
	if h == nil {
		h = &ownerHeld{cpu: cpu, mem: mem}
		byOwner[owner] = h
	}
	h.sec, h.cpuSec, h.memSec = h.sec+sec, h.cpuSec+cpu*sec, h.memSec+mem*sec
	h.varied = h.varied || cpu != h.cpu || mem != h.mem
}

// shapes describes the CPU and memory of instance type typ and of the
// owner that held it longest (its tasks' mean reservation when their sizes
// differ, as a job's from a trace do).
func (l *idleLedger) shapes(typ string) (task, inst string) {
	res := l.res
	byOwner := l.ownerSecs[typ]
	if len(byOwner) == 0 {
		return "", ""
	}
	owners := slices.Sorted(maps.Keys(byOwner))
	top := slices.MaxFunc(owners, func(a, b int32) int { return cmp.Or(cmp.Compare(byOwner[a].sec, byOwner[b].sec), cmp.Compare(b, a)) })
	h := byOwner[top]
	names := make([]string, len(res.Owners))
	for i, o := range res.Owners {
		names[i] = o.Name
	}
	name := res.Owners[top].Name
	for _, f := range families(names) {
		if f.Copies() && slices.Contains(f.Members, int(top)) {
			name = "each of " + familyName(f, names)
		}
	}
	cpu, mem, how := h.cpu, h.mem, "reserves"
	if h.varied {
		cpu, mem, how = h.cpuSec/h.sec, h.memSec/h.sec, "reserves on average"
	}
	task = fmt.Sprintf("%s %s %s CPU units to %s MiB, 1:%s", name, how, count(int(math.Round(cpu))), count(int(math.Round(mem))), ratio(mem/cpu))
	it, ok := l.cost.Prices.Catalog.Lookup(typ)
	if !ok {
		return task, ""
	}
	cpuReg, memReg := it.VCPU*1024, l.res.Config.Settings.RegisteredMemoryMiB(it)
	return task, fmt.Sprintf("%s %s registers %s CPU units to %s MiB, 1:%s", article(typ), typ, count(cpuReg), count(int(memReg)),
		ratio(float64(memReg)/float64(cpuReg)))
}

// article is "an" before a vowel sound as instance types are read
// ("an m5.large"), else "a".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiofhlmnrsx", rune(word[0])) {
		return "an"
	}
	return "a"
}

// ratio formats a memory-to-CPU ratio: "2", "3.9".
func ratio(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}

// heldDetail: what min_size or the target capacity kept, group by group.
func (l *idleLedger) heldDetail(c IdleCause) wording {
	cfg := l.res.Config
	target, _, _ := l.groupPolicies()
	var parts []string
	for g, s := range l.groups {
		sec, inst := s.minHeldSec, s.minHeldInstSec
		what := fmt.Sprintf("min_size %d of %s", cfg.Groups[g].MinSize, cfg.Groups[g].Name)
		if c == IdleTarget {
			sec, inst = s.targetHeldSec, s.targetHeldInstSec
			what = fmt.Sprintf("target capacity %d%% of %s", target[g], providerOf(cfg, g))
		}
		if sec <= 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s kept %s empty for %s", what, instances(inst/sec), durHours(sec)))
	}
	s := nameList(parts)
	if c == IdleTarget {
		return wording{s, s + " (managed scaling keeps N = ceil(M x 100 / target) instances for M that run tasks; on average over the hours given)"}
	}
	return wording{s, s + " (on average over the hours given)"}
}

// instances formats an average count of instances: "1 instance", "1.4
// instances", "6,186 instances".
func instances(n float64) string {
	s := instanceCount(n)
	if s == "1" {
		return "1 instance"
	}
	return s + " instances"
}

// instanceCount formats an average count: one decimal under 100, whole
// and thousands separated from 100 up.
func instanceCount(n float64) string {
	if n >= 99.95 {
		return count(int(math.Round(n)))
	}
	return strings.TrimSuffix(strconv.FormatFloat(n, 'f', 1, 64), ".0")
}

// providerOf names the capacity provider of group g.
func providerOf(cfg *sim.Config, g int) string {
	for _, p := range cfg.CapacityProviders {
		if p.Group == g {
			return p.Name
		}
	}
	return cfg.Groups[g].Name
}

func (l *idleLedger) scaleInDetail() wording {
	var sec float64
	for _, g := range l.groups {
		sec += g.coldInstSec
	}
	dp := 0
	for _, p := range l.res.Config.CapacityProviders {
		if p.ManagedScaling != nil {
			dp = max(dp, p.ManagedScaling.ScaleInDatapoints)
		}
	}
	short := durHours(sec) + " of instance time"
	long := "empty instances that managed scaling had not yet scaled in: " + short
	if dp > 0 {
		short += fmt.Sprintf("; managed scaling scales in after %d minutes below target", dp)
		long += fmt.Sprintf(" (it scales in after %d minutes below target)", dp)
	}
	return wording{short, long}
}

func (l *idleLedger) warmupDetail() wording {
	short := durHours(l.warmSec) + " of instance time"
	long := "instances registered and waiting for their first task: " + short
	var w []string
	for _, p := range l.res.Config.CapacityProviders {
		if p.ManagedScaling != nil && p.ManagedScaling.Warmup > 0 {
			w = append(w, span(des.At(p.ManagedScaling.Warmup))+" ("+p.Name+")")
		}
	}
	if len(w) > 0 {
		short += "; instance warm-up period " + nameList(w)
		long += "; instance warm-up period " + nameList(w)
	}
	return wording{short, long}
}

func (l *idleLedger) bootDetail() wording {
	var lt []string
	for _, g := range l.res.Config.Groups {
		if d := span(des.At(g.LaunchTime)); !slices.Contains(lt, d) {
			lt = append(lt, d)
		}
	}
	launches := count(l.launches) + " launches"
	if l.launches == 1 {
		launches = "1 launch"
	}
	short := fmt.Sprintf("%s of %s each", launches, strings.Join(lt, " or "))
	return wording{short, fmt.Sprintf("%s booted for %s each (instance_launch_time) before they registered: %s of instance time",
		launches, strings.Join(lt, " or "), durHours(l.bootSec))}
}
