package capacity

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// fakeOrchestrator records what capacity tells it, in order, and answers
// with what the test sets: drain on termination, protect some instances.
type fakeOrchestrator struct {
	calls     []string
	drain     bool
	protected map[int32]bool
}

var _ Orchestrator = (*fakeOrchestrator)(nil)

func (o *fakeOrchestrator) InstanceRegistered(i int32) {
	o.calls = append(o.calls, fmt.Sprintf("registered %d", i))
}
func (o *fakeOrchestrator) InstanceTerminating(i int32, cause string) bool {
	o.calls = append(o.calls, fmt.Sprintf("terminating %d %s", i, cause))
	return o.drain
}
func (o *fakeOrchestrator) InstanceInterrupted(i int32) {
	o.calls = append(o.calls, fmt.Sprintf("interrupted %d", i))
}
func (o *fakeOrchestrator) InstanceLost(i int32, why EndReason, msg string) {
	o.calls = append(o.calls, fmt.Sprintf("lost %d %s %q", i, why, msg))
}
func (o *fakeOrchestrator) ScaleInProtected(i int32) bool { return o.protected[i] }

// fleet builds a fleet of one group of n m5.large over zones a and b.
func fleet(t *testing.T, n int, change func(*GroupConfig)) (*Fleet, *fakeOrchestrator, *des.Engine, *schema.Log) {
	t.Helper()
	it, ok := catalog.Default().Lookup("m5.large")
	require.True(t, ok)
	cfg := &Config{
		Zones: []string{"us-east-1a", "us-east-1b"},
		Groups: []GroupConfig{{Name: "asg", InstanceTypes: []catalog.InstanceType{it}, MinSize: 0, MaxSize: 10, DesiredCapacity: n,
			AvailabilityZones: []string{"us-east-1a", "us-east-1b"}, LaunchTime: 90 * time.Second, OnDemandPercentageAboveBase: 100}},
		Settings: Settings{SpotNotice: 2 * time.Minute, InstanceFailureDetection: 3 * time.Minute},
	}
	if change != nil {
		change(&cfg.Groups[0])
	}
	eng := des.New(1)
	log := &schema.Log{}
	f := New(cfg, eng, log)
	o := &fakeOrchestrator{protected: map[int32]bool{}}
	f.Attach(o)
	return f, o, eng, log
}

func count(log *schema.Log, typ schema.EventType) int {
	n := 0
	for _, e := range log.All() {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// AWS (EC2 Auto Scaling default termination policy): the instance comes from
// the Availability Zone with the most instances.
func TestScaleInTerminatesFromTheBusiestZone(t *testing.T) {
	f, o, _, _ := fleet(t, 3, nil) // zones a, b, a
	f.Start()
	require.Equal(t, []string{"registered 0", "registered 1", "registered 2"}, o.calls, "the starting fleet registers at once")
	require.Equal(t, []int{0, 1, 0}, []int{f.Instance(0).AZ, f.Instance(1).AZ, f.Instance(2).AZ})
	v := f.groups[0].terminationVictim(f, &victimList{})
	assert.Equal(t, 0, f.Instance(v).AZ)
}

func TestScaleInWithoutADrainTerminatesAtOnceAndTheOrchestratorLosesIt(t *testing.T) {
	f, o, _, log := fleet(t, 2, nil)
	f.Start()
	f.SetDesired(0, 1, "test")
	assert.Equal(t, []string{"registered 0", "registered 1", `terminating 0 scale-in`, `lost 0 terminated "Host EC2 (instance i-00000000000000001) terminated."`}, o.calls)
	assert.Equal(t, 1, f.Present())
	assert.Equal(t, 1, count(log, schema.InstanceTerminated))
	assert.Equal(t, EndTerminated, f.Instance(0).End)
}

func TestADrainHoldsTheTerminationUntilTheOrchestratorReleasesIt(t *testing.T) {
	f, o, _, _ := fleet(t, 2, nil)
	o.drain = true
	f.Start()
	f.SetDesired(0, 1, "test")
	assert.Equal(t, Terminating, f.Instance(0).Lifecycle, "held by the lifecycle hook")
	assert.Equal(t, 1, f.Group(0).InService, "a terminating instance no longer counts")
	f.Release(0)
	assert.Equal(t, Terminated, f.Instance(0).Lifecycle)
	assert.Equal(t, `lost 0 terminated ""`, o.calls[len(o.calls)-1])
	f.Release(0) // a second release is a no-op, not a second termination
	assert.Equal(t, 1, f.Terminated())
}

// AWS (EC2 Auto Scaling, "Use instance scale-in protection"): "If all
// instances in an Auto Scaling group are protected from scale in, and a
// scale-in event occurs, its desired capacity is decremented. However, the
// Auto Scaling group can't terminate the required number of instances until
// their instance scale-in protection settings are disabled."
func TestAllProtectedScaleInLowersDesiredAndTerminatesAsProtectionLifts(t *testing.T) {
	f, o, _, log := fleet(t, 3, nil)
	o.protected[0], o.protected[1], o.protected[2] = true, true, true
	f.Start()
	f.SetDesired(0, 1, "test")
	assert.Equal(t, 1, f.Group(0).Desired, "desired is decremented")
	assert.Equal(t, 3, f.Group(0).InService, "nothing can be terminated yet")
	require.Equal(t, 1, count(log, schema.ScaleInProtected))
	ev := log.All()
	assert.Equal(t, "2 kept", ev[len(ev)-2].Status)
	o.protected[1] = false
	f.ProtectionLifted(1)
	assert.Equal(t, Terminated, f.Instance(1).Lifecycle, "terminated once its protection lifts")
	assert.Equal(t, 2, f.Group(0).InService)
	o.protected[0], o.protected[2] = false, false
	f.ProtectionLifted(0)
	assert.Equal(t, 1, f.Group(0).InService, "down to desired, no further")
	assert.Equal(t, 2, f.Terminated())
}

// A Spot instance noticed while booting never registers; EC2 reclaims it
// two minutes later, once, and the group replaces it then.
func TestASpotNoticeWhileBootingCancelsTheRegistrationAndReclaimsOnce(t *testing.T) {
	f, o, eng, log := fleet(t, 0, func(g *GroupConfig) { g.OnDemandPercentageAboveBase = 0 })
	f.Start()
	f.SetDesired(0, 1, "test")
	eng.At(des.At(30*time.Second), f.kSpotNotice, 0)
	_, err := eng.Run(des.At(3 * time.Minute))
	require.NoError(t, err)
	assert.NotContains(t, o.calls, "registered 0")
	assert.Equal(t, 1, f.Terminated())
	assert.Equal(t, EndReclaimed, f.Instance(0).End)
	assert.Equal(t, 1, count(log, schema.InstanceTerminated))
	assert.Equal(t, 2, f.Launched(), "the replacement follows the reclaim")
	f.Check()
	assert.NoError(t, eng.Err())
}

func TestAFailedInstanceIsReplacedAfterTheDetectionDelay(t *testing.T) {
	f, o, eng, _ := fleet(t, 2, nil)
	f.Start()
	f.Fail(1, "status checks")
	assert.Contains(t, o.calls, `lost 1 failed "status checks"`)
	assert.Equal(t, 2, f.Launched())
	_, err := eng.Run(des.At(3*time.Minute + time.Second))
	require.NoError(t, err)
	assert.Equal(t, 3, f.Launched(), "replaced three minutes later")
	assert.Equal(t, EndFailed, f.Usage(eng.Now())[1].End)
}

func TestAZoneOutageFailsItsInstancesAndTheGroupRebalancesWhenItReturns(t *testing.T) {
	f, _, eng, log := fleet(t, 4, nil)
	f.Start()
	f.ZoneOutage("us-east-1b", time.Hour)
	assert.True(t, f.ZoneDown("us-east-1b"))
	_, err := eng.Run(des.At(30 * time.Minute))
	require.NoError(t, err)
	assert.Equal(t, []int{4, 0}, f.groups[0].liveAZ, "replacements land in the zone that is up")
	_, err = eng.Run(des.At(2 * time.Hour))
	require.NoError(t, err)
	assert.Equal(t, []int{2, 2}, f.groups[0].liveAZ, "balanced again after the zone returns")
	assert.Equal(t, 1, count(log, schema.ZoneRecovered))
	f.Check()
	assert.NoError(t, eng.Err())
}

// A direct group is what an EC2 Fleet "instant" request (Karpenter) gives:
// the orchestrator launches each instance and terminates it; the group
// neither replaces nor rebalances it.
func TestDirectlyLaunchedInstancesAreTheOrchestratorsToStartAndEnd(t *testing.T) {
	f, o, eng, _ := fleet(t, 0, func(g *GroupConfig) { g.Direct = true; g.DesiredCapacity = 3 })
	f.Start()
	assert.Equal(t, 0, f.Launched(), "a direct group has no desired capacity to start with")
	c6g, ok := catalog.Default().Lookup("c6g.large")
	require.True(t, ok)
	i := f.LaunchDirect(0, c6g, 1, Spot)
	require.Equal(t, int32(0), i)
	assert.Equal(t, "c6g.large", f.Instance(i).Type.Name, "the type the orchestrator chose, not the group's")
	assert.Equal(t, "us-east-1b", f.Zone(i))
	_, err := eng.Run(des.At(2 * time.Minute))
	require.NoError(t, err)
	assert.Contains(t, o.calls, "registered 0", "it registers after the launch time")
	f.Fail(i, "status checks")
	_, err = eng.Run(des.At(10 * time.Minute))
	require.NoError(t, err)
	assert.Equal(t, 1, f.Launched(), "nothing replaces it")
	j := f.LaunchDirect(0, c6g, 0, OnDemand)
	f.SetDesired(0, 5, "ignored")
	assert.Equal(t, 2, f.Launched(), "SetDesired does not apply to a direct group")
	_, err = eng.Run(des.At(15 * time.Minute))
	require.NoError(t, err)
	o.drain = true
	f.TerminateDirect(j, "consolidation")
	assert.Contains(t, o.calls, "terminating 1 consolidation")
	assert.Equal(t, int32(-1), f.LaunchDirect(0, c6g, 7, OnDemand), "no such zone")
}

// AWS ("Auto Scaling groups with multiple instance types and purchase
// options"): on scale-in the group first chooses the purchase option, for
// the split at the size after the change, rounded in favour of On-Demand.
// 50% On-Demand above a base of 0, 2 + 2 going to 3: ceil(3 x 0.5) = 2
// On-Demand stay, so a Spot instance goes (not the On-Demand one the busiest
// zone alone would give up).
func TestMixedGroupScaleInKeepsItsSplitAtTheNewSize(t *testing.T) {
	f, _, _, _ := fleet(t, 4, func(g *GroupConfig) { g.OnDemandPercentageAboveBase = 50 })
	f.Start()
	require.Equal(t, 2, f.Group(0).OnDemand, "launched On-Demand, Spot, On-Demand, Spot")
	require.Equal(t, []PurchaseOption{OnDemand, Spot, OnDemand, Spot},
		[]PurchaseOption{f.Instance(0).Purchase, f.Instance(1).Purchase, f.Instance(2).Purchase, f.Instance(3).Purchase})
	f.SetDesired(0, 3, "test")
	assert.Equal(t, 2, f.Group(0).OnDemand, "2 On-Demand kept")
	assert.Equal(t, 1, f.Group(0).InService-f.Group(0).OnDemand, "1 Spot left")
	f.SetDesired(0, 2, "test")
	assert.Equal(t, 1, f.Group(0).OnDemand, "at 2: ceil(2 x 0.5) = 1 On-Demand")
	f.SetDesired(0, 1, "test")
	assert.Equal(t, 1, f.Group(0).OnDemand, "at 1: ceil(0.5) = 1, in favour of On-Demand")
}

// AWS (EC2 Auto Scaling, "Rebalancing activities"): after a zone returns the
// group launches in it before it terminates elsewhere, and terminates the
// old instance only once the new one is in service; never in the same
// instant, and never a protected instance.
func TestZoneRebalancingLaunchesFirstAndTerminatesOnceTheNewInstanceIsInService(t *testing.T) {
	f, o, eng, log := fleet(t, 0, func(g *GroupConfig) {
		g.AvailabilityZones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}
		g.MaxSize = 6
	})
	f.cfg.Zones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}
	f.ZoneOutage("us-east-1a", time.Hour)
	f.SetDesired(0, 6, "test") // all six go to b and c while a is down
	_, err := eng.Run(des.At(30 * time.Minute))
	require.NoError(t, err)
	require.Equal(t, []int{0, 3, 3}, f.groups[0].liveAZ)
	o.protected[1] = true // one instance of b is busy
	_, err = eng.Run(des.At(time.Hour + 30*time.Second))
	require.NoError(t, err)
	assert.Equal(t, 7, f.Group(0).InService, "one launched into a, none terminated yet: max 6 + a margin of max(10%, 1) = 7")
	_, err = eng.Run(des.At(time.Hour + 6*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, []int{2, 2, 2}, f.groups[0].liveAZ, "balanced once the new ones are in service")
	assert.Equal(t, InService, f.Instance(1).Lifecycle, "the protected instance stays")
	launched, terminated := map[string]des.Time{}, map[string]des.Time{}
	for _, e := range log.All() {
		switch e.Type {
		case schema.InstanceLaunch:
			launched[e.Subject] = e.At
		case schema.InstanceTerminated:
			terminated[e.Subject] = e.At
		}
	}
	for id, at := range terminated {
		assert.NotEqual(t, launched[id], at, "%s launched and terminated in the same instant", id)
	}
	f.Check()
	assert.NoError(t, eng.Err())
}

// When every instance of the fullest zones is protected, the group launches
// into the empty zone all the same and stays above desired until protection
// lifts there; then it terminates only from the fullest zone.
func TestZoneRebalancingWaitsForProtectionToLiftInTheFullestZone(t *testing.T) {
	f, o, eng, _ := fleet(t, 0, func(g *GroupConfig) {
		g.AvailabilityZones = []string{"us-east-1a", "us-east-1b"}
		g.MaxSize = 10
	})
	f.ZoneOutage("us-east-1a", time.Hour)
	f.SetDesired(0, 4, "test")
	_, err := eng.Run(des.At(30 * time.Minute))
	require.NoError(t, err)
	for i := range int32(4) {
		o.protected[i] = true
	}
	_, err = eng.Run(des.At(time.Hour + 5*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, []int{2, 4}, f.groups[0].liveAZ, "two launched into a; b's are all protected")
	o.protected[2] = false
	f.ProtectionLifted(2)
	assert.Equal(t, []int{2, 3}, f.groups[0].liveAZ, "one goes from b as its protection lifts")
	o.protected[3] = false
	f.ProtectionLifted(3)
	assert.Equal(t, []int{2, 2}, f.groups[0].liveAZ, "down to desired, balanced")
	assert.Equal(t, 4, f.Group(0).InService)
}
