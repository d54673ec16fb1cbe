package scenarios

import (
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/placement"
	"github.com/fleetsim/fleetsim/sim"
)

// The placement-rules library scenario's final state shows the rules at
// work: cache only on m5 instances, never two on one; web spread 2-2-2 over
// the three zones.
func TestPlacementRulesScenarioPutsTasksWhereTheRulesSay(t *testing.T) {
	sc, err := Resolve("placement-rules")
	require.NoError(t, err)
	res, err := sim.New(sc.Config).Run()
	require.NoError(t, err)
	typeOf, zoneOf := map[string]string{}, map[string]string{}
	for _, ci := range res.State.Describe().ContainerInstances {
		typeOf[ci.ContainerInstanceArn] = ci.InstanceType
		zoneOf[ci.ContainerInstanceArn] = ci.AvailabilityZone
	}
	cacheOn := map[string]int{}
	webZones := map[string]int{}
	for _, task := range res.State.Describe().Tasks {
		switch task.Group {
		case "service:cache":
			cacheOn[task.ContainerInstance]++
			assert.True(t, strings.HasPrefix(typeOf[task.ContainerInstance], "m5."), "cache on %s", typeOf[task.ContainerInstance])
		case "service:web":
			webZones[zoneOf[task.ContainerInstance]]++
		}
	}
	assert.Len(t, cacheOn, 3, "three cache tasks on three distinct m5 instances")
	for inst, n := range cacheOn {
		assert.Equal(t, 1, n, "distinctInstance on %s", inst)
	}
	assert.Equal(t, map[string]int{"us-east-1a": 2, "us-east-1b": 2, "us-east-1c": 2}, webZones)
}

// `field = "attribute:"` (no attribute name) passed validate, which only
// checked the prefix, and then panicked in the run, which parsed the string
// again. Strategies are now parsed once, by placement's own parser, into
// the values the run uses.
func TestSpreadOnAnEmptyAttributeNameIsRejectedBeforeTheRun(t *testing.T) {
	src, err := fs.ReadFile(LibraryFS(), "placement-rules.toml")
	require.NoError(t, err)
	bad := strings.Replace(string(src), `{ type = "spread", field = "attribute:ecs.availability-zone" }`, `{ type = "spread", field = "attribute:" }`, 1)
	require.NotEqual(t, string(src), bad, "the fixture edits the file")
	_, err = parseLibrary(bad)
	require.Error(t, err)
	ps := problemsOf(t, err)
	require.Len(t, ps, 1)
	assert.Contains(t, ps[0].Key, "placement_strategy")
	assert.Contains(t, ps[0].Key, "field")
	assert.Equal(t, `"attribute:"`, ps[0].Got)
}

// What validate accepts is what the run uses: the strategies and memberOf
// constraints reach the run as placement's parsed values.
func TestPlacementRulesReachTheRunParsed(t *testing.T) {
	sc, err := Resolve("placement-rules")
	require.NoError(t, err)
	var sawSpread, sawMemberOf bool
	for _, s := range sc.Config.Services {
		for _, st := range s.PlacementStrategy {
			if st.Kind == placement.SpreadStrategy && st.Field == "attribute:ecs.availability-zone" {
				sawSpread = true
			}
		}
		for _, c := range s.PlacementConstraints {
			if c.Kind == placement.MemberOfConstraint {
				require.NotNil(t, c.Expr, "the expression is parsed")
				sawMemberOf = true
			}
		}
	}
	assert.True(t, sawSpread)
	assert.True(t, sawMemberOf)
}

// ECS supports ENI trunking only on the types its table lists: with
// eni_trunking on, a group of another type (c5n, a family ECS excludes) is
// accepted with a warning naming the key, and its limit stays its ENIs
// less one.
func TestTrunkingOnATypeECSDoesNotSupportIsAWarning(t *testing.T) {
	src := strings.Replace(defaultSource(t), "[cluster]\n", "[cluster]\neni_trunking = true\n", 1)
	src = strings.Replace(src, `instance_types = ["m5.large"]`, `instance_types = ["c5n.large"]`, 1)
	sc, err := parseLibrary(src)
	require.NoError(t, err)
	require.Len(t, sc.Warnings, 1)
	w := sc.Warnings[0]
	assert.Contains(t, w.Key, "instance_types")
	assert.Contains(t, w.Got, "c5n.large")
	assert.Positive(t, w.Line)
	plain, err := parseLibrary(defaultSource(t))
	require.NoError(t, err)
	assert.Empty(t, plain.Warnings, "m5.large without trunking: nothing to say")
}

// The az-outage library scenario does what its description says: after the
// zone returns, the group launches into it (before it terminates, never in
// the same instant) and ECS's Availability Zone rebalancing moves web's tasks
// back, so the run ends balanced across the three zones, instances and
// tasks alike.
func TestAZOutageEndsBalancedAcrossItsThreeZones(t *testing.T) {
	sc, err := Resolve("az-outage")
	require.NoError(t, err)
	res, err := sim.New(sc.Config).Run()
	require.NoError(t, err)
	instances, web := map[string]int{}, map[string]int{}
	for _, ci := range res.State.Describe().ContainerInstances {
		if ci.Status == "ACTIVE" {
			instances[ci.AvailabilityZone]++
		}
	}
	for _, task := range res.State.Describe().Tasks {
		if task.Group == "service:web" {
			web[task.AvailabilityZone]++
		}
	}
	assert.Equal(t, map[string]int{"us-east-1a": 2, "us-east-1b": 2, "us-east-1c": 2}, instances)
	assert.Equal(t, map[string]int{"us-east-1a": 6, "us-east-1b": 6, "us-east-1c": 6}, web)
	launched := map[string]time.Duration{}
	var started, completed int
	for _, e := range res.Events {
		switch {
		case e.Type == "InstanceLaunch":
			launched[e.Subject] = e.At.Duration()
		case e.Type == "InstanceTerminated":
			at, ok := launched[e.Subject]
			assert.False(t, ok && at == e.At.Duration(), "%s launched and terminated at %s", e.Subject, at)
		case e.Type == "ServiceRebalancing" && e.Status == "STARTED":
			started++
		case e.Type == "ServiceRebalancing" && e.Status == "COMPLETED":
			completed++
		}
	}
	assert.Positive(t, started)
	assert.Equal(t, started, completed, "every rebalancing completes")
}

// availability_zone_rebalancing = "DISABLED" turns ECS's rebalancing off:
// the tasks stay where the outage left them.
func TestAZRebalancingCanBeTurnedOff(t *testing.T) {
	src, err := fs.ReadFile(LibraryFS(), "az-outage.toml")
	require.NoError(t, err)
	text := strings.Replace(string(src), "desired_count = 18\n", "desired_count = 18\navailability_zone_rebalancing = \"DISABLED\"\n", 1)
	require.NotEqual(t, string(src), text)
	sc, err := parseLibrary(text)
	require.NoError(t, err)
	assert.False(t, sc.Config.Services[0].AZRebalancing)
	assert.True(t, sc.Config.Services[1].AZRebalancing, "ENABLED by default, as CreateService")
	res, err := sim.New(sc.Config).Run()
	require.NoError(t, err)
	for _, e := range res.Events {
		if e.Type == "ServiceRebalancing" {
			assert.NotEqual(t, "web", e.Subject)
		}
	}
}
