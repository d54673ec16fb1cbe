package scenarios

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	for _, ci := range res.State.ContainerInstances {
		typeOf[ci.ContainerInstanceArn] = ci.InstanceType
		zoneOf[ci.ContainerInstanceArn] = ci.AvailabilityZone
	}
	cacheOn := map[string]int{}
	webZones := map[string]int{}
	for _, task := range res.State.Tasks {
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
