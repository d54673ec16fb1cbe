package ecs

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/des"
)

// placedTimes runs the world for d and returns, sorted, when each task of
// the run left PROVISIONING, and how many are still there.
func placedTimes(t *testing.T, w *World, d time.Duration) (placed []time.Duration, provisioning int) {
	t.Helper()
	w.cfg.Duration = d
	fleet, eng := w.fleet, w.eng
	fleet.Start()
	w.Start()
	w.StartSampling()
	_, err := eng.Run(des.At(d))
	require.NoError(t, err)
	for i := range w.tasks {
		switch tk := &w.tasks[i]; tk.state {
		case TaskProvisioning:
			provisioning++
		case TaskPending, TaskRunning:
			placed = append(placed, time.Duration(tk.placed))
		}
	}
	slices.Sort(placed)
	return placed, provisioning
}

func fargateService(n int) ServiceConfig {
	return ServiceConfig{Name: "web", DesiredCount: n, LaunchType: "FARGATE"}
}

func TestTokenBucketGoesAtBurstThenRefill(t *testing.T) {
	// AWS (AWS Fargate throttling quotas): a bucket of 100 refilled at 20
	// a second: "you can immediately launch up to 100 ... with a sustained
	// launch rate of 20 ... per second".
	b := newTokenBucket(100, 20)
	var at []des.Time
	for range 102 {
		at = append(at, b.reserve(0))
	}
	assert.Equal(t, des.Time(0), at[99], "the 100th request of a burst goes at once")
	assert.Equal(t, des.At(50*time.Millisecond), at[100], "the 101st waits one refill (1/20 s)")
	assert.Equal(t, des.At(100*time.Millisecond), at[101])
	// After a quiet spell the bucket is full again: 100 go at once.
	later := des.At(time.Hour)
	for i := range 100 {
		require.Equal(t, later, b.reserve(later), "request %d after an hour", i)
	}
	assert.Equal(t, later+des.At(50*time.Millisecond), b.reserve(later))
}

func TestFargateLaunchRateStretchesAThousandTaskScaleOut(t *testing.T) {
	// 1,000 Fargate tasks asked for at once. The Fargate bucket alone:
	// 100 at once, the other 900 at 20 a second -> the last at 900/20 =
	// 45 s. With the service quota of 500 tasks a minute as well: 500 by
	// 20 s (100 + 20 x 20), none until the first minute's launches leave
	// the window at 60 s, then the bucket (full again) gives 100 at once
	// and 20 a second -> the last at 60 + 400/20 = 80 s.
	cases := []struct {
		name      string
		perMinute int
		last      time.Duration
	}{
		{"the Fargate bucket alone: 45 s", 1_000_000, 45 * time.Second},
		{"with the service's 500 a minute: 80 s", 500, 80 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, _, _ := newWorld(t, 0, fargateService(1000))
			lr := DefaultLaunchRates()
			lr.ServicePerMinute = c.perMinute
			w.cfg.Settings.LaunchRates = &lr
			w.initLaunchRates()
			placed, waiting := placedTimes(t, w, 5*time.Minute)
			require.Len(t, placed, 1000)
			assert.Zero(t, waiting)
			assert.Equal(t, time.Duration(0), placed[99], "the burst of 100 goes at once")
			assert.Equal(t, 50*time.Millisecond, placed[100], "then one every 1/20 s")
			assert.Equal(t, c.last, placed[999])
		})
	}
	t.Run("without launch rates every task goes at once", func(t *testing.T) {
		w, _, _ := newWorld(t, 0, fargateService(1000))
		placed, _ := placedTimes(t, w, 5*time.Minute)
		require.Len(t, placed, 1000)
		assert.Equal(t, time.Duration(0), placed[999])
	})
}

func TestServiceLaunchRateOnEC2(t *testing.T) {
	// 600 tasks of 512 CPU on 150 m5.large (4 each): room for all. AWS's
	// "Rate of tasks launched by a service on an Amazon EC2 ... instance"
	// (500 a minute) lets 500 go at once and the other 100 a minute later.
	w, _, _ := newWorld(t, 150, ServiceConfig{Name: "web", DesiredCount: 600, ProviderStrategy: []StrategyItem{{Provider: "cp", Weight: 1}}})
	lr := DefaultLaunchRates()
	w.cfg.Settings.LaunchRates = &lr
	w.initLaunchRates()
	placed, _ := placedTimes(t, w, 5*time.Minute)
	require.Len(t, placed, 600)
	assert.Equal(t, time.Duration(0), placed[499])
	assert.Equal(t, time.Minute, placed[500])
	assert.Equal(t, time.Minute, placed[599])
}

func TestProvisioningCapPerCluster(t *testing.T) {
	// One m5.large (4 tasks) and 800 asked for: without capacity the rest
	// wait in PROVISIONING, at most 500 of them in the cluster (AWS's
	// "Tasks in the PROVISIONING state per cluster").
	w, _, _ := newWorld(t, 1, ServiceConfig{Name: "web", DesiredCount: 800, ProviderStrategy: []StrategyItem{{Provider: "cp", Weight: 1}}})
	lr := DefaultLaunchRates()
	lr.ServicePerMinute = 1_000_000
	w.cfg.Settings.LaunchRates = &lr
	w.initLaunchRates()
	placed, waiting := placedTimes(t, w, 5*time.Minute)
	assert.Len(t, placed, 4)
	assert.Equal(t, 500, waiting)
	assert.Equal(t, 504, w.services[0].active.n)
}

func TestTasksWaitingForATokenCanBeScaledIn(t *testing.T) {
	// 1,000 asked for (no service or PROVISIONING cap here), then 400 at
	// 10 s: at 10 s 300 have launched (100 + 10 x 20) and 700 wait for
	// their token. Scale-in takes the waiting
	// ones first (PROVISIONING, newest first), so the 400 kept are the 300
	// launched and 100 of those waiting. The books hold throughout.
	w, fleet, eng := newWorld(t, 0, fargateService(1000))
	lr := DefaultLaunchRates()
	lr.ServicePerMinute, lr.ProvisioningPerCluster = 1_000_000, 1_000_000
	w.cfg.Settings.LaunchRates = &lr
	w.initLaunchRates()
	fleet.Start()
	w.Start()
	w.StartSampling()
	_, err := eng.Run(des.At(10 * time.Second))
	require.NoError(t, err)
	w.CheckEnd()
	require.NoError(t, eng.Err(), "books while tasks wait for tokens")
	assert.Equal(t, 700, w.rec.counts[0][TaskProvisioning])
	assert.Equal(t, 900, w.FargateTokenWaits(), "every task after the first 100 waited")
	n := 400
	w.UpdateService(ServiceUpdate{Service: 0, TaskDefinition: -1, DesiredCount: &n})
	_, err = eng.Run(des.At(5 * time.Minute))
	require.NoError(t, err)
	w.CheckEnd()
	require.NoError(t, eng.Err())
	assert.Equal(t, 400, w.services[0].active.n)
	assert.Zero(t, w.rec.counts[0][TaskProvisioning])
}

func TestAMassRedeployTakesTheLaunchRates(t *testing.T) {
	// A rolling deploy of 1,000 Fargate tasks (maximumPercent 200: all the
	// new ones may start at once) launches as the scale-out did: the last
	// new task 80 s after the UpdateService.
	w, fleet, eng := newWorld(t, 0, fargateService(1000))
	w.cfg.TaskDefinitions = append(w.cfg.TaskDefinitions, w.cfg.TaskDefinitions[0])
	w.cfg.TaskDefinitions[1].Revision = 2
	lr := DefaultLaunchRates()
	w.cfg.Settings.LaunchRates = &lr
	w.initLaunchRates()
	fleet.Start()
	w.Start()
	w.StartSampling()
	_, err := eng.Run(des.At(10 * time.Minute))
	require.NoError(t, err)
	w.UpdateService(ServiceUpdate{Service: 0, TaskDefinition: 1})
	_, err = eng.Run(des.At(20 * time.Minute))
	require.NoError(t, err)
	var last des.Time
	n := 0
	for i := range w.tasks {
		if tk := &w.tasks[i]; tk.state == TaskRunning && w.specs[tk.spec].def == 1 {
			n++
			last = max(last, tk.placed)
		}
	}
	assert.Equal(t, 1000, n)
	assert.Equal(t, des.At(10*time.Minute+80*time.Second), last)
}
