package ecs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// A Managed Instances instance running only daemon tasks is idle: the
// managed-scaling rule (an instance running only daemon tasks counts as
// empty) holds for ECS's own consolidation too. The log agent lands on the
// instance first and stays; when the web task goes, the instance goes
// scaleInAfter later, its agent with it.
func TestAManagedInstanceRunningOnlyDaemonTasksIsIdle(t *testing.T) {
	m := miDefaults()
	m.ScaleInAfter = 600 * time.Second
	agent := ServiceConfig{Name: "agent", TaskDefinition: 1, Daemon: true, LaunchType: "EC2", MaximumPercent: 100}
	cfg := miConfig(t, m, nil, 2*time.Hour, 512, 1024, nil, []ServiceConfig{miService(1), agent})
	td := cfg.TaskDefinitions[0]
	td.Family, td.CPU, td.MemoryMiB = "agent", 128, 256
	td.Containers = []ContainerDefinition{{Name: "app", Image: "agent:1", ImageSizeBytes: 100 << 20, Essential: true}}
	cfg.TaskDefinitions = append(cfg.TaskDefinitions, td)
	w, fleet, eng, log := startMIWorld(cfg)

	_, err := eng.Run(des.At(30 * time.Minute))
	require.NoError(t, err)
	require.Equal(t, 1, fleet.Present())
	require.Len(t, w.instances[0].tasks, 2, "the web task and the agent")
	require.Equal(t, 1, w.instances[0].nonDaemonTasks())

	zero := 0
	w.UpdateService(ServiceUpdate{Service: 0, TaskDefinition: -1, DesiredCount: &zero})
	_, err = eng.Run(des.At(2 * time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 0, fleet.Present(), "the agent alone does not keep the instance")
	var stopped des.Time
	for _, e := range log.All() {
		if e.Type == schema.TaskStateChange && e.Status == "STOPPED" && stopped == 0 {
			stopped = e.At
		}
	}
	require.NotZero(t, stopped)
	// scaleInAfter after the web task stopped the instance drains, and goes
	// when its agent has stopped (its 30 s stop timeout).
	end := fleet.Instance(0).Terminated
	assert.GreaterOrEqual(t, end, stopped+des.At(600*time.Second))
	assert.LessOrEqual(t, end, stopped+des.At(630*time.Second))
}
