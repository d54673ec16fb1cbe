package eks

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// ecrRig is newRig with a registry whose pulls of repo/web:1 fail for the
// first two minutes.
func ecrRig(t *testing.T, cfg *Config, groups []capacity.GroupConfig, d time.Duration) *rig {
	t.Helper()
	r := &rig{t: t, eng: des.New(1), log: &schema.Log{}}
	ccfg := &capacity.Config{Zones: []string{"us-east-1a", "us-east-1b"}, Groups: groups,
		Settings: capacity.Settings{SpotNotice: 2 * time.Minute, InstanceFailureDetection: 3 * time.Minute,
			ImagePullBytesPerSecond: 100 << 20, CachedPullTime: time.Second},
		ECR: &capacity.ECRConfig{Region: "us-east-1", Images: []capacity.ECRImage{{Name: "repo/web:1", SizeBytes: 50 << 20}},
			Failures: []capacity.PullFailure{{Image: "repo/web:1", From: 0, To: 2 * time.Minute}}}}
	r.fleet = capacity.New(ccfg, r.eng, r.log)
	w, err := New(cfg, Env{Start: start, Region: "us-east-1", Duration: d}, r.eng, r.fleet, r.log, len(groups))
	require.NoError(t, err)
	r.w = w
	r.fleet.Attach(w)
	r.fleet.Start()
	w.Start()
	w.StartSampling()
	return r
}

// The kubelet's back-off between failed pulls: 10 s, 20 s, 40 s, ...; the
// first pull after the failure window gets the pod running.
func TestECRPullFailureBacksOffThePod(t *testing.T) {
	cfg := baseConfig("ng")
	cfg.Deployments = []Deployment{deploy("web", 1, tmpl("web", 250, 256))}
	r := ecrRig(t, cfg, []capacity.GroupConfig{group(t, "ng", "m5.large", 1)}, 10*time.Minute)
	r.until(10 * time.Minute)
	fails := r.events(EventErrImagePull)
	require.Len(t, fails, 4, "pulls at t, t+10s, t+30s, t+70s fail; t+150s is past the window")
	for i, want := range []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second} {
		assert.Equal(t, want, (fails[i+1].At - fails[i].At).Duration(), "back-off %d", i+1)
	}
	assert.Contains(t, fails[0].Reason, "503 Service Unavailable")
	pods := r.podsOf(0)
	require.Len(t, pods, 1)
	assert.Equal(t, PhaseRunning, pods[0].phase)
	assert.Equal(t, fails[3].At+des.At(80*time.Second)+des.At(500*time.Millisecond)+des.At(2*time.Second), pods[0].started,
		"pulled 80 s after the last failure: 50 MiB at 100 MiB/s, then StartTime")
	assert.Zero(t, pods[0].pullFails, "a pull that gets through resets the back-off")
}
