package ecs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/des"
)

// activeTasks counts service si's tasks not yet STOPPING.
func activeTasks(w *World, si int) int { return w.services[si].active.n }

func TestProtectionExpiryBounds(t *testing.T) {
	// AWS (UpdateTaskProtection): expiresInMinutes from 1 to 2,880 (48 h).
	for _, d := range []time.Duration{time.Minute, 30 * time.Minute, DefaultProtectionExpiry, 2880 * time.Minute} {
		assert.Empty(t, ProtectionExpiryError(d), d)
	}
	for _, d := range []time.Duration{0, 30 * time.Second, 2881 * time.Minute, 90 * time.Second} {
		assert.NotEmpty(t, ProtectionExpiryError(d), d)
	}
	assert.Equal(t, 120*time.Minute, DefaultProtectionExpiry, "AWS: protected for 2 hours by default")
}

func TestProtectedTasksSurviveScaleInUntilTheirProtectionExpires(t *testing.T) {
	// Four web tasks on four instances; two are protected at 10 min; the
	// desired count drops to 1 at 20 min: only the two unprotected go. The
	// protected ones go when protection expires: 2 h (the default) or a
	// custom 30 min after it was set.
	for _, tc := range []struct {
		name    string
		expires time.Duration
	}{{"default 2 h", DefaultProtectionExpiry}, {"custom 30 min", 30 * time.Minute}} {
		t.Run(tc.name, func(t *testing.T) {
			w, fleet, eng, _ := dWorld(t, 4, func(c *Config) { c.Services = []ServiceConfig{web(4)} })
			fleet.Start()
			w.Start()
			w.StartSampling()
			_, err := eng.Run(des.At(10 * time.Minute))
			require.NoError(t, err)
			w.ProtectTasks(ProtectionUpdate{Service: 0, Count: 2, Enabled: true, ExpiresIn: tc.expires})
			one := 1
			_, err = eng.Run(des.At(20 * time.Minute))
			require.NoError(t, err)
			w.UpdateService(ServiceUpdate{Service: 0, TaskDefinition: -1, DesiredCount: &one})
			assert.Equal(t, 2, activeTasks(w, 0), "the two protected tasks stay")
			expiry := 10*time.Minute + tc.expires
			_, err = eng.Run(des.At(expiry - time.Second))
			require.NoError(t, err)
			assert.Equal(t, 2, activeTasks(w, 0), "still protected a second before expiry")
			_, err = eng.Run(des.At(expiry))
			require.NoError(t, err)
			assert.Equal(t, 1, activeTasks(w, 0), "at expiry protectionEnabled resets and the scale-in goes on")
		})
	}
}

func TestProtectedTasksHoldARollingDeploymentUntilUnset(t *testing.T) {
	// AWS (task-scale-in-protection.html): with a rolling update "new tasks
	// will be created but tasks running older version will not be
	// terminated until protectionEnabled is unset or expires".
	w, fleet, eng, log := dWorld(t, 8, func(c *Config) {
		c.TaskDefinitions = append(c.TaskDefinitions, c.TaskDefinitions[0])
		c.TaskDefinitions[2].Revision = 2
		c.Services = []ServiceConfig{web(4)}
	})
	fleet.Start()
	w.Start()
	w.StartSampling()
	_, err := eng.Run(des.At(10 * time.Minute))
	require.NoError(t, err)
	w.ProtectTasks(ProtectionUpdate{Service: 0, Count: 2, Enabled: true, ExpiresIn: 2880 * time.Minute})
	w.UpdateService(ServiceUpdate{Service: 0, TaskDefinition: 2})
	_, err = eng.Run(des.At(30 * time.Minute))
	require.NoError(t, err)
	s := &w.services[0]
	assert.Equal(t, 6, s.active.n, "4 new tasks and the 2 protected old ones")
	assert.Equal(t, 2, s.old)
	assert.Equal(t, RolloutInProgress, s.deps[s.primary()].rollout, "the deployment waits for the protected tasks")
	held := false
	for _, e := range log.All() {
		held = held || (e.Type == "TaskProtection" && e.Status == "HELD")
	}
	assert.True(t, held, "ECS vends a service event when protected tasks hold a deployment")
	w.ProtectTasks(ProtectionUpdate{Service: 0, Enabled: false})
	_, err = eng.Run(des.At(40 * time.Minute))
	require.NoError(t, err)
	assert.Equal(t, 4, s.active.n)
	assert.Equal(t, RolloutCompleted, s.deps[s.primary()].rollout)
}

func TestProtectionRefusedBeyondTheDesiredCount(t *testing.T) {
	// AWS: DEPLOYMENT_BLOCKED "means the service has more protected tasks
	// than the desired count of tasks for the service".
	// Desired 4, two old tasks protected through a deployment that adds 4
	// new ones: protecting 3 of the new would make 5 > 4, so 1 is refused.
	w, fleet, eng, log := dWorld(t, 8, func(c *Config) {
		c.TaskDefinitions = append(c.TaskDefinitions, c.TaskDefinitions[0])
		c.TaskDefinitions[2].Revision = 2
		c.Services = []ServiceConfig{web(4)}
	})
	fleet.Start()
	w.Start()
	_, err := eng.Run(des.At(10 * time.Minute))
	require.NoError(t, err)
	w.ProtectTasks(ProtectionUpdate{Service: 0, Count: 2, Enabled: true, ExpiresIn: time.Hour})
	w.UpdateService(ServiceUpdate{Service: 0, TaskDefinition: 2})
	_, err = eng.Run(des.At(20 * time.Minute))
	require.NoError(t, err)
	w.ProtectTasks(ProtectionUpdate{Service: 0, Count: 3, Enabled: true, ExpiresIn: time.Hour})
	assert.Equal(t, 4, w.protectedActive(&w.services[0]), "protected tasks never exceed the desired count")
	blocked := false
	for _, e := range log.All() {
		blocked = blocked || (e.Type == "TaskProtection" && e.Status == "DEPLOYMENT_BLOCKED")
	}
	assert.True(t, blocked)
}

func TestAnInstanceWithAProtectedTaskStaysUnderManagedTerminationProtection(t *testing.T) {
	// Managed termination protection keeps an instance while a non-daemon
	// task runs there; a protected task survives the service's scale-in, so
	// its instance survives the capacity provider's scale-in until the
	// protection expires (30 min), and then goes too.
	w, fleet, eng, _ := dWorld(t, 3, func(c *Config) {
		c.Duration = 3 * time.Hour
		c.CapacityProviders[0].ManagedScaling = &ManagedScalingConfig{TargetCapacity: 100, MinStep: 1, MaxStep: 10000, Warmup: 300 * time.Second,
			ScaleOutDatapoints: 1, ScaleInDatapoints: 15}
		c.CapacityProviders[0].ManagedTerminationProtection = true
		c.CapacityProviders[0].ManagedDraining = true
		c.Groups[0].NewInstancesProtected = true
		c.Services = []ServiceConfig{web(3)}
	})
	fleet.Start()
	w.Start()
	w.StartSampling()
	_, err := eng.Run(des.At(10 * time.Minute))
	require.NoError(t, err)
	w.ProtectTasks(ProtectionUpdate{Service: 0, Count: 1, Enabled: true, ExpiresIn: 30 * time.Minute})
	zero := 0
	w.UpdateService(ServiceUpdate{Service: 0, TaskDefinition: -1, DesiredCount: &zero})
	_, err = eng.Run(des.At(35 * time.Minute))
	require.NoError(t, err)
	assert.Equal(t, 1, activeTasks(w, 0), "the protected task runs on")
	assert.Equal(t, 1, fleet.Group(0).InService, "its instance is kept; the empty ones went")
	_, err = eng.Run(des.At(90 * time.Minute))
	require.NoError(t, err)
	assert.Equal(t, 0, activeTasks(w, 0))
	assert.Equal(t, 0, fleet.Group(0).InService, "after expiry the task goes, then its instance")
}

func TestAQueueWorkerProtectsTheTasksThatHoldAMessage(t *testing.T) {
	// The while_processing rule: busy share x running tasks, rounded up, are
	// protected (those already protected first), the idle ones unset.
	w, fleet, eng, _ := dWorld(t, 4, func(c *Config) {
		svc := web(4)
		svc.Load = &LoadConfig{Pattern: "constant", BaseRPS: 1, CPUSecondsPerRequest: 0.05, Queue: true}
		svc.Protection = &TaskProtectionRule{WhileProcessing: true, ExpiresIn: DefaultProtectionExpiry}
		c.Services = []ServiceConfig{svc}
	})
	fleet.Start()
	w.Start()
	_, err := eng.Run(des.At(5 * time.Minute))
	require.NoError(t, err)
	s := &w.services[0]
	for _, tc := range []struct {
		busyPct float64
		want    int
	}{{50, 2}, {60, 3}, {100, 4}, {10, 1}, {0, 0}} {
		s.lastCPU = tc.busyPct
		w.protectByRule()
		assert.Equal(t, tc.want, w.protectedActive(s), "%v%% busy", tc.busyPct)
	}
}

func TestAProtectedBlueTaskOutlastsTheBlueGreenCleanUp(t *testing.T) {
	// AWS (task-scale-in-protection.html): with blue/green "the Blue stack
	// with protected tasks will not be removed ... older tasks will only be
	// removed when protectionEnabled is unset or expires". Bake 10 min; one
	// blue task protected for 60 min: after CLEAN_UP it alone of blue stays,
	// the deployment completes once its protection expires.
	w, fleet, eng, _ := dWorld(t, 8, func(c *Config) {
		c.TaskDefinitions = append(c.TaskDefinitions, c.TaskDefinitions[0])
		c.TaskDefinitions[2].Revision = 2
		svc := web(4)
		svc.Deployment = &DeploymentStrategyConfig{Strategy: StrategyBlueGreen, BakeTime: 10 * time.Minute}
		c.Services = []ServiceConfig{svc}
	})
	fleet.Start()
	w.Start()
	w.StartSampling()
	_, err := eng.Run(des.At(10 * time.Minute))
	require.NoError(t, err)
	w.ProtectTasks(ProtectionUpdate{Service: 0, Count: 1, Enabled: true, ExpiresIn: 60 * time.Minute})
	w.UpdateService(ServiceUpdate{Service: 0, TaskDefinition: 2})
	_, err = eng.Run(des.At(45 * time.Minute))
	require.NoError(t, err)
	s := &w.services[0]
	require.Nil(t, s.dstate.staged, "the staged rollout reached CLEAN_UP")
	assert.Equal(t, 5, s.active.n, "green's 4 and the protected blue task")
	assert.Equal(t, RolloutInProgress, s.deps[s.primary()].rollout)
	_, err = eng.Run(des.At(72 * time.Minute))
	require.NoError(t, err)
	assert.Equal(t, 4, s.active.n)
	assert.Equal(t, RolloutCompleted, s.deps[s.primary()].rollout)
}

func TestProtectionDoesNotHoldATaskOnADrainingInstance(t *testing.T) {
	// AWS names scale-in events from service auto scaling and deployments
	// only: a drain still moves a protected task (fleetsim's reading).
	w, fleet, eng, _ := dWorld(t, 3, func(c *Config) { c.Services = []ServiceConfig{web(1)} })
	fleet.Start()
	w.Start()
	_, err := eng.Run(des.At(5 * time.Minute))
	require.NoError(t, err)
	w.ProtectTasks(ProtectionUpdate{Service: 0, Count: 1, Enabled: true, ExpiresIn: time.Hour})
	var on int32 = -1
	for i := range w.instances {
		if len(w.instances[i].tasks) > 0 {
			on = int32(i)
		}
	}
	require.GreaterOrEqual(t, on, int32(0))
	w.Drain(on)
	_, err = eng.Run(des.At(15 * time.Minute))
	require.NoError(t, err)
	assert.Empty(t, w.instances[on].tasks, "the protected task left the draining instance")
	assert.Equal(t, 1, w.rec.counts[0][TaskRunning], "replaced elsewhere")
}

func TestProtectedTasksAboveMaximumPercentAreNoInvariantBreach(t *testing.T) {
	// Desired 4 to 1 with 3 tasks protected for an hour: 3 run, above
	// maximumPercent 200 of 1, for as long as protection lasts; that is
	// ECS's behaviour, not an overrun, and the run's invariants allow it.
	w, fleet, eng, _ := dWorld(t, 4, func(c *Config) {
		c.Duration = 2 * time.Hour
		c.Services = []ServiceConfig{web(4)}
	})
	fleet.Start()
	w.Start()
	w.StartSampling()
	_, err := eng.Run(des.At(10 * time.Minute))
	require.NoError(t, err)
	w.ProtectTasks(ProtectionUpdate{Service: 0, Count: 3, Enabled: true, ExpiresIn: time.Hour})
	one := 1
	w.UpdateService(ServiceUpdate{Service: 0, TaskDefinition: -1, DesiredCount: &one})
	_, err = eng.Run(des.At(2 * time.Hour))
	require.NoError(t, err)
	w.CheckEnd()
	require.NoError(t, eng.Err())
	assert.Equal(t, 1, activeTasks(w, 0))
}
