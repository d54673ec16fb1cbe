package capacity

import (
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// Capacity Rebalancing. AWS (EC2 Auto Scaling, "Capacity Rebalancing"): with
// it on, a Spot group answers an EC2 instance rebalance recommendation (a
// signal that the instance is at elevated risk of interruption, which "can
// arrive sooner than the two-minute Spot Instance interruption notice")
// by launching a replacement Spot instance, and terminates the at-risk one
// once the new one is in service (through its lifecycle hooks: the
// orchestrator drains it). AWS does not guarantee the recommendation, nor
// say how early it comes: GroupConfig.RebalanceLead is how long before the
// interruption notice it arrives (choice, 10 min by default; 0: the
// recommendation never comes before the notice, which then goes as
// without Capacity Rebalancing). The instance maintenance policy decides
// the order (MaintenancePolicy).

// extraKinds are the event kinds of the Auto Scaling extras.
type extraKinds struct {
	refresh, rebalanceRec des.Kind
}

func (f *Fleet) initExtras() {
	f.x = extraKinds{
		refresh:      f.eng.Register(func(_ des.Time, gi int32) { f.refreshStep(int(gi)) }),
		rebalanceRec: f.eng.Register(f.onRebalanceRecommendation),
	}
	for gi := range f.groups {
		g := &f.groups[gi]
		if g.cfg.WarmPool != nil {
			g.pool = &warmPool{}
		}
	}
}

// scheduleRebalanceRec sets the recommendation of a Spot instance whose
// interruption notice is due at notice.
func (f *Fleet) scheduleRebalanceRec(idx int32, notice des.Time) {
	in := &f.instances[idx]
	g := &f.groups[in.Group]
	if !g.cfg.CapacityRebalance || g.cfg.RebalanceLead <= 0 {
		return
	}
	if at := notice - des.At(g.cfg.RebalanceLead); at > f.eng.Now() {
		in.recTimer = f.eng.At(at, f.x.rebalanceRec, idx)
	}
}

// onRebalanceRecommendation replaces an at-risk Spot instance.
func (f *Fleet) onRebalanceRecommendation(_ des.Time, i int32) {
	in := &f.instances[i]
	if in.Lifecycle != InService || in.SpotNoticed {
		return
	}
	g := &f.groups[in.Group]
	f.instanceEvent(in, schema.EC2RebalanceRecommendation, "")
	if m := g.cfg.Maintenance; m != nil && m.MaxHealthyPercentage <= 100 {
		// Terminate and launch: the replacement starts as the old one goes.
		f.terminate(i, "capacity-rebalance")
		g.replenish(f)
		return
	}
	fresh := f.launch(g, false)
	if fresh < 0 || f.instances[fresh].Lifecycle == Terminated {
		return
	}
	if g.recs == nil {
		g.recs = map[int32]int32{}
	}
	g.recs[fresh] = i
}

// recRegistered is onRegister's part for the extras: it times an instance
// refresh's warm-up, and terminates the at-risk instance a Capacity Rebalancing
// replacement was launched for, now that the replacement is in service.
func (f *Fleet) recRegistered(fresh int32) {
	f.refreshRegistered(fresh) // refresh.go
	g := &f.groups[f.instances[fresh].Group]
	old, ok := g.recs[fresh]
	if !ok {
		return
	}
	delete(g.recs, fresh)
	if f.instances[old].counts() {
		f.terminate(old, "capacity-rebalance")
	}
}

// extrasFinished is finish's part for the extras: the instance's
// recommendation is cancelled, a replacement that never came into service
// is forgotten (the old instance stays), and the warm pool takes back a
// scaled-in instance.
func (f *Fleet) extrasFinished(i int32) {
	in := &f.instances[i]
	f.eng.Cancel(in.recTimer)
	g := &f.groups[in.Group]
	if _, fresh := g.recs[i]; fresh {
		delete(g.recs, i)
	}
	f.warmFinished(i)
}

// defaultRebalanceLead is RebalanceLead's default (choice).
const defaultRebalanceLead = 10 * time.Minute

// DefaultRebalanceLead is how long before the Spot interruption notice the
// rebalance recommendation arrives unless the scenario says (choice).
func DefaultRebalanceLead() time.Duration { return defaultRebalanceLead }
