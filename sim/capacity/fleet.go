package capacity

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// Lifecycle is an instance's state in EC2 Auto Scaling's lifecycle.
type Lifecycle uint8

// Lifecycle states. Pending covers the boot and the orchestrator's agent
// registration; Terminating covers a drain before termination.
const (
	Pending Lifecycle = iota
	InService
	Terminating
	Terminated
)

func (l Lifecycle) String() string {
	return [...]string{"Pending", "InService", "Terminating", "Terminated"}[l]
}

// Instance is an EC2 instance as capacity knows it. The Fleet owns it;
// callers get copies.
type Instance struct {
	ID         string
	Type       catalog.InstanceType
	Group      int // index into Config.Groups
	AZ         int // index into its group's AvailabilityZones
	Zone       string
	Purchase   PurchaseOption
	Lifecycle  Lifecycle
	Launched   des.Time
	Terminated des.Time
	End        EndReason
	// ProtectedFromScaleIn is the instance's own scale-in protection flag
	// (the group's NewInstancesProtectedFromScaleIn at launch).
	ProtectedFromScaleIn bool
	SpotNoticed          bool // EC2 sent its Spot interruption notice
}

// counts reports whether the instance counts in its group's capacity:
// pending or in service (AWS: an instance an orchestrator drains stays
// InService; one being terminated does not count).
func (in *Instance) counts() bool { return in.Lifecycle == Pending || in.Lifecycle == InService }

type instance struct {
	// When each image's pull is done (0: not pulled), by image ID: the
	// first ones in the record, beside the slice of the rest, so that a
	// pull of a run's first images reads one cache line (image.go).
	ready      [inlineImages]des.Time
	imageReady []des.Time // images inlineImages and up
	Instance
	regTimer   des.Timer // Pending -> InService
	spotTimer  des.Timer // the Spot interruption notice, then the reclaim
	recTimer   des.Timer // the rebalance recommendation (rebalance_rec.go)
	registered des.Time  // when it came into service (refresh.go)
}

// ErrInvariant marks a breach of capacity's own books: a bug, never a
// property of the scenario.
var ErrInvariant = errors.New("capacity: invariant broken")

// Fleet is a run's EC2 capacity: its Auto Scaling groups and every instance
// they launched. Build it with New, give it its orchestrator with Attach,
// then Start it.
type Fleet struct {
	cfg  *Config
	eng  *des.Engine
	log  *schema.Log
	orch Orchestrator

	instances []instance
	groups    []group
	downZones []string
	images    map[string]int32
	ecr       *registry // the ECR registry (ecr.go); nil: none

	nextID                            uint64
	launched, terminated, spotNotices int

	kRegister, kSpotNotice, kSpotReclaim, kReplenish, kZoneRecovered des.Kind

	x        extraKinds    // the Auto Scaling extras' kinds (rebalance_rec.go)
	override startOverride // the next start comes from a warm pool (warmpool.go)
}

// New builds the fleet of cfg on eng, logging into log.
func New(cfg *Config, eng *des.Engine, log *schema.Log) *Fleet {
	f := &Fleet{cfg: cfg, eng: eng, log: log, images: map[string]int32{}}
	f.ecr = newRegistry(cfg.ECR)
	f.kRegister = eng.Register(f.onRegister)
	f.kSpotNotice = eng.Register(f.onSpotNotice)
	f.kSpotReclaim = eng.Register(f.onSpotReclaim)
	f.kReplenish = eng.Register(func(_ des.Time, gi int32) { f.groups[gi].replenish(f) })
	f.kZoneRecovered = eng.Register(f.onZoneRecovered)
	for i := range cfg.Groups {
		gc := &cfg.Groups[i]
		f.groups = append(f.groups, group{idx: i, cfg: gc, liveAZ: make([]int, len(gc.AvailabilityZones)),
			spot: eng.Stream("group/" + gc.Name + "/spot"),
			pick: eng.Stream("group/" + gc.Name + "/terminate")})
	}
	f.initExtras()
	return f
}

// Attach sets the orchestrator the fleet's instances register with.
func (f *Fleet) Attach(o Orchestrator) { f.orch = o }

// Start brings every group to its desired capacity. The instances a
// scenario starts with are its existing fleet: registered at time zero.
func (f *Fleet) Start() {
	n := 0
	for gi := range f.groups {
		if g := &f.groups[gi]; !g.cfg.Direct {
			n += g.cfg.DesiredCapacity
		}
	}
	f.instances = slices.Grow(f.instances, n) // one array for the existing fleet, not one copy per growth
	for gi := range f.groups {
		g := &f.groups[gi]
		if g.cfg.Direct {
			continue
		}
		g.desired = g.cfg.DesiredCapacity
		g.instances = slices.Grow(g.instances, g.desired)
		for range g.desired {
			f.launch(g, true)
		}
		f.fillWarmPool(g, true) // the existing warm pool, initialised (warmpool.go)
	}
}

// Len is the number of instances launched so far; instance indexes run
// from 0 to Len()-1 and are never reused.
func (f *Fleet) Len() int { return len(f.instances) }

// Instance returns instance i.
func (f *Fleet) Instance(i int32) Instance { return f.instances[i].Instance }

// LaunchTime is when instance i was launched; Lifecycle is where it is in
// its lifecycle; ProtectedFromScaleIn is its own scale-in protection flag.
// (Instance copies the whole record; these read one field.)
func (f *Fleet) LaunchTime(i int32) des.Time       { return f.instances[i].Launched }
func (f *Fleet) Lifecycle(i int32) Lifecycle       { return f.instances[i].Lifecycle }
func (f *Fleet) ProtectedFromScaleIn(i int32) bool { return f.instances[i].ProtectedFromScaleIn }

// Zone is instance i's Availability Zone.
func (f *Fleet) Zone(i int32) string { return f.instances[i].Zone }

// GroupOf is instance i's group.
func (f *Fleet) GroupOf(i int32) int { return f.instances[i].Group }

// Launched, Terminated and SpotNotices count over the run so far.
func (f *Fleet) Launched() int    { return f.launched }
func (f *Fleet) Terminated() int  { return f.terminated }
func (f *Fleet) SpotNotices() int { return f.spotNotices }

// Present counts the instances not terminated.
func (f *Fleet) Present() int { return f.launched - f.terminated }

// Pending counts the instances launched and not yet registered nor gone.
func (f *Fleet) Pending() int {
	n := 0
	for gi := range f.groups {
		n += f.groups[gi].pending
	}
	return n
}

func (f *Fleet) event(typ schema.EventType, subject, group, status, reason, instance string) {
	f.log.Add(schema.Event{At: f.eng.Now(), Type: typ, Subject: subject, Group: group, Status: status, Reason: reason, Instance: instance})
}

func (f *Fleet) instanceEvent(in *instance, typ schema.EventType, reason string) {
	f.event(typ, in.ID, f.cfg.Groups[in.Group].Name, in.Lifecycle.String(), reason, in.Type.Name)
}

func (f *Fleet) breach(format string, args ...any) {
	f.eng.Fail(fmt.Errorf("%w: %s", ErrInvariant, fmt.Sprintf(format, args...)))
}

// setLifecycle moves an instance along its lifecycle, keeping its group's
// counters.
func (f *Fleet) setLifecycle(in *instance, l Lifecycle) {
	if in.Lifecycle == Terminated {
		f.breach("instance %s: %s after it was terminated", in.ID, l)
		return
	}
	g := &f.groups[in.Group]
	g.count(in, -1)
	in.Lifecycle = l
	g.count(in, 1)
}

// LaunchDirect launches one instance of type it, bought as p, into zone az
// (an index into the group's zones) of the direct group gi: an EC2 Fleet
// request of type "instant", as Karpenter makes. It returns the instance,
// or -1 when the zone is down or gi is not a direct group. The instance
// registers after the group's LaunchTime and may be interrupted like any
// Spot instance; nothing replaces it when it ends.
func (f *Fleet) LaunchDirect(gi int, it catalog.InstanceType, az int, p PurchaseOption) int32 {
	g := &f.groups[gi]
	if !g.cfg.Direct || az < 0 || az >= len(g.cfg.AvailabilityZones) {
		return -1
	}
	if f.ZoneDown(g.cfg.AvailabilityZones[az]) {
		f.event(schema.LaunchFailed, g.cfg.Name, g.cfg.Name, "", "Availability Zone "+g.cfg.AvailabilityZones[az]+" is down", "")
		return -1
	}
	return f.start(g, it, az, p, false)
}

// TerminateDirect terminates a directly launched instance (the orchestrator
// consolidating or expiring it); the orchestrator may drain it first, as on
// any termination.
func (f *Fleet) TerminateDirect(i int32, cause string) {
	if f.groups[f.instances[i].Group].cfg.Direct {
		f.terminate(i, cause)
	}
}

// launch starts one instance of g: the Availability Zone with the fewest
// counted instances among those up (AWS: Auto Scaling balances zones on
// launch), the purchase option the mixed instances policy asks for, and its
// instance type. Returns -1 when every zone of the group is down.
func (f *Fleet) launch(g *group, initial bool) int32 {
	az := g.leastLoadedAZ(f)
	if az < 0 {
		f.event(schema.LaunchFailed, g.cfg.Name, g.cfg.Name, "", "every Availability Zone of the group is down", "")
		return -1
	}
	if !initial {
		if i, ok := f.launchWarm(g, az); ok { // from the warm pool (warmpool.go)
			return i
		}
	}
	purchase := g.nextPurchase()
	return f.start(g, g.instanceType(purchase), az, purchase, initial)
}

// start launches one instance of type it in zone az of g.
func (f *Fleet) start(g *group, it catalog.InstanceType, az int, purchase PurchaseOption, initial bool) int32 {
	f.nextID++
	id, launchTime := instanceID(f.nextID), g.cfg.LaunchTime
	if f.override.set { // a warm pool's instance (warmpool.go)
		id, launchTime, f.override = f.override.id, f.override.delay, startOverride{}
	}
	idx := int32(len(f.instances))
	f.instances = append(f.instances, instance{Instance: Instance{
		ID:                   id,
		Type:                 it,
		Group:                g.idx,
		AZ:                   az,
		Zone:                 g.cfg.AvailabilityZones[az],
		Purchase:             purchase,
		Launched:             f.eng.Now(),
		ProtectedFromScaleIn: g.cfg.NewInstancesProtected,
	}})
	in := &f.instances[idx]
	g.count(in, 1)
	g.instances = append(g.instances, idx)
	f.launched++
	f.instanceEvent(in, schema.InstanceLaunch, purchase.String())
	if initial {
		f.onRegister(f.eng.Now(), idx)
	} else {
		in.regTimer = f.eng.At(f.eng.Now()+des.At(launchTime), f.kRegister, idx)
	}
	if purchase == Spot && g.cfg.SpotInterruptionsPerInstHour > 0 {
		hours := g.spot.ExpFloat64() / g.cfg.SpotInterruptionsPerInstHour
		f.instances[idx].spotTimer = f.eng.At(f.eng.Now()+des.Time(hours*float64(time.Hour)), f.kSpotNotice, idx)
		f.scheduleRebalanceRec(idx, f.eng.Now()+des.Time(hours*float64(time.Hour))) // rebalance_rec.go
	}
	return idx
}

// instanceID formats an instance number as EC2 shows it, "i-" and 17 hex
// digits (fmt's "i-%017x", without fmt).
func instanceID(n uint64) string {
	var b [19]byte
	b[0], b[1] = 'i', '-'
	const hex = "0123456789abcdef"
	for i := len(b) - 1; i >= 2; i-- { // 17 digits hold any uint64
		b[i] = hex[n&15]
		n >>= 4
	}
	return string(b[:])
}

// onRegister ends an instance's boot: it is in service and registers with
// the orchestrator.
func (f *Fleet) onRegister(_ des.Time, i int32) {
	in := &f.instances[i]
	if in.Lifecycle != Pending {
		return
	}
	f.setLifecycle(in, InService)
	f.orch.InstanceRegistered(i)
	f.groups[in.Group].rebalanced(f, i)
	f.recRegistered(i) // a Capacity Rebalancing replacement (rebalance_rec.go)
}

// terminate takes an instance out of service for its group (scale-in,
// rebalancing). A registered instance's orchestrator may drain it first
// (Release ends the drain); otherwise it ends now.
func (f *Fleet) terminate(i int32, cause string) {
	in := &f.instances[i]
	switch in.Lifecycle {
	case Terminating, Terminated:
		return
	case Pending:
		f.eng.Cancel(in.regTimer)
		f.finish(i, EndTerminated, "")
		return
	}
	f.setLifecycle(in, Terminating)
	f.noteWarmReuse(i, cause) // back to the warm pool once gone (warmpool.go)
	if f.orch.InstanceTerminating(i, cause) {
		return
	}
	f.finish(i, EndTerminated, "Host EC2 (instance "+in.ID+") terminated.")
}

// Release ends an orchestrator's drain of an instance being terminated:
// the lifecycle hook completes and the instance terminates.
func (f *Fleet) Release(i int32) {
	if f.instances[i].Lifecycle == Terminating {
		f.finish(i, EndTerminated, "")
	}
}

// Fail loses an instance at once (failed status checks, a zone outage): the
// orchestrator loses what ran there, and its group replaces it once EC2
// notices (Settings.InstanceFailureDetection).
func (f *Fleet) Fail(i int32, reason string) {
	in := &f.instances[i]
	if in.Lifecycle == Terminated {
		return
	}
	f.instanceEvent(in, schema.InstanceFailed, reason)
	f.eng.Cancel(in.regTimer)
	if in.Lifecycle != Terminating {
		f.setLifecycle(in, Terminating)
	}
	f.finish(i, EndFailed, reason)
	f.eng.After(f.cfg.Settings.InstanceFailureDetection, f.kReplenish, int32(in.Group))
}

// finish terminates an instance, once: the orchestrator loses it (if it
// ever registered), its timers are cancelled and its group forgets it.
func (f *Fleet) finish(i int32, why EndReason, message string) {
	in := &f.instances[i]
	if in.Lifecycle == Terminated {
		f.breach("instance %s terminated twice", in.ID)
		return
	}
	if in.Lifecycle != Terminating {
		f.setLifecycle(in, Terminating)
	}
	f.orch.InstanceLost(i, why, message)
	f.eng.Cancel(in.spotTimer)
	f.eng.Cancel(in.regTimer)
	f.setLifecycle(in, Terminated)
	in.Terminated, in.End = f.eng.Now(), why
	g := &f.groups[in.Group]
	if _, fresh := g.rebalancing[i]; fresh {
		delete(g.rebalancing, i) // a replacement that never came into service: the old one stays
	}
	if k := slices.Index(g.instances, i); k >= 0 {
		g.instances = slices.Delete(g.instances, k, k+1) // groups hold their counted instances only
	}
	f.terminated++
	f.instanceEvent(in, schema.InstanceTerminated, "")
	f.extrasFinished(i) // rebalance_rec.go
}

// ZoneDown reports whether an Availability Zone is in an outage.
func (f *Fleet) ZoneDown(zone string) bool { return slices.Contains(f.downZones, zone) }

// ZoneOutage takes a zone down for d: its instances fail, and nothing
// launches there until it returns, when the groups rebalance into it.
func (f *Fleet) ZoneOutage(zone string, d time.Duration) {
	if !slices.Contains(f.downZones, zone) {
		f.downZones = append(f.downZones, zone)
	}
	f.event(schema.ZoneOutage, zone, "", "", fmt.Sprintf("for %s", d), "")
	for i := range f.instances {
		if in := &f.instances[i]; in.Lifecycle != Terminated && in.Zone == zone {
			f.Fail(int32(i), "Availability Zone "+zone+" outage")
		}
	}
	f.eng.After(d, f.kZoneRecovered, int32(slices.Index(f.cfg.Zones, zone)))
}

// onZoneRecovered brings a zone back; groups rebalance into it (AWS: Auto
// Scaling launches in the recovered zone before terminating elsewhere).
func (f *Fleet) onZoneRecovered(_ des.Time, z int32) {
	zone := f.cfg.Zones[z]
	f.downZones = slices.DeleteFunc(f.downZones, func(s string) bool { return s == zone })
	f.event(schema.ZoneRecovered, zone, "", "", "", "")
	for gi := range f.groups {
		f.groups[gi].rebalance(f)
	}
}

// onSpotNotice is EC2's two-minute Spot interruption warning. The instance
// stays in service in its group until EC2 reclaims it (SpotNotice later);
// its orchestrator hears of it (ECS drains with ECS_ENABLE_SPOT_INSTANCE_
// DRAINING). An instance still booting never registers.
func (f *Fleet) onSpotNotice(now des.Time, i int32) {
	in := &f.instances[i]
	if in.Lifecycle == Terminated || in.SpotNoticed {
		return
	}
	in.SpotNoticed = true
	f.spotNotices++
	f.instanceEvent(in, schema.SpotInterruptionNotice, "")
	switch in.Lifecycle {
	case Pending:
		f.eng.Cancel(in.regTimer)
	case InService, Terminating:
		f.orch.InstanceInterrupted(i)
	}
	in.spotTimer = f.eng.At(now+des.At(f.cfg.Settings.SpotNotice), f.kSpotReclaim, i)
}

// onSpotReclaim is EC2 taking the Spot instance back: what runs there is
// lost, and the group launches the replacement (AWS: without Capacity
// Rebalancing, replacement follows the termination).
func (f *Fleet) onSpotReclaim(_ des.Time, i int32) {
	in := &f.instances[i]
	if in.Lifecycle == Terminated {
		return // its timer is cancelled at termination: defence only
	}
	f.finish(i, EndReclaimed, "Spot instance reclaimed")
	f.groups[in.Group].replenish(f)
}

// SpotStorm sends the interruption notice at once to round(fraction x n) of
// group gi's n Spot instances in service and not yet warned, drawn with r.
func (f *Fleet) SpotStorm(gi int, fraction float64, r *rand.Rand) {
	var spot []int32
	for _, i := range f.groups[gi].instances {
		if in := &f.instances[i]; in.Purchase == Spot && in.counts() && !in.SpotNoticed {
			spot = append(spot, i)
		}
	}
	n := int(float64(len(spot))*fraction + 0.5)
	r.Shuffle(len(spot), func(a, b int) { spot[a], spot[b] = spot[b], spot[a] })
	for _, i := range spot[:n] {
		f.eng.Cancel(f.instances[i].spotTimer)
		f.onSpotNotice(f.eng.Now(), i)
	}
}

// Check verifies capacity's books: every group's counters against its
// instances, and launched - terminated = present.
func (f *Fleet) Check() {
	present := 0
	for gi := range f.groups {
		g := &f.groups[gi]
		var live, od, pending int
		for i := range f.instances {
			in := &f.instances[i]
			if in.Group != gi {
				continue
			}
			if in.Lifecycle != Terminated {
				present++
			}
			if in.counts() {
				live++
				if in.Purchase == OnDemand {
					od++
				}
			}
			if in.Lifecycle == Pending {
				pending++
			}
		}
		if live != g.live || od != g.liveOD || pending != g.pending {
			f.breach("group %s: counts in service %d, On-Demand %d, pending %d; its instances say %d, %d, %d",
				g.cfg.Name, g.live, g.liveOD, g.pending, live, od, pending)
		}
	}
	if present != f.Present() {
		f.breach("instances: %d launched - %d terminated != %d present", f.launched, f.terminated, present)
	}
}
