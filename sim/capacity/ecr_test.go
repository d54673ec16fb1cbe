package capacity

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/des"
)

const mib = 1 << 20

// ecrFleet is fleet with two running instances, 100 MiB/s pull bandwidth
// and the registry ecr.
func ecrFleet(t *testing.T, ecr *ECRConfig) (*Fleet, *des.Engine) {
	t.Helper()
	f, _, eng, _ := fleet(t, 2, nil)
	f.cfg.Settings.ImagePullBytesPerSecond = 100 * mib
	f.cfg.Settings.CachedPullTime = time.Second
	f.cfg.ECR = ecr
	f.ecr = newRegistry(ecr)
	f.Start()
	_, err := eng.Run(des.At(5 * time.Minute))
	require.NoError(t, err)
	return f, eng
}

func TestECRInRegionAndReplicatedPullAtInstanceBandwidth(t *testing.T) {
	f, eng := ecrFleet(t, &ECRConfig{Region: "us-east-1", CrossRegionBytesPerSecond: 20 * mib, Images: []ECRImage{
		{Name: "local:1", SizeBytes: 500 * mib},
		{Name: "replicated:1", SizeBytes: 500 * mib, Region: "eu-west-1", Replicas: []string{"us-east-1"}},
	}})
	now := eng.Now()
	assert.Equal(t, now+des.At(5*time.Second), f.Pull(0, f.ImageID("local:1"), 500*mib, false))
	assert.Equal(t, now+des.At(5*time.Second), f.Pull(0, f.ImageID("replicated:1"), 500*mib, false), "a replica pulls at in-region speed")
	u := f.ECRUsage()
	assert.Zero(t, u.CrossRegionBytes)
	assert.Equal(t, int64(500*mib+2*500*mib), u.StoredBytes, "the replica is stored (and billed) in its region too")
	assert.Equal(t, 2, u.Pulls)
}

func TestECRCrossRegionPullAtCrossRegionBandwidth(t *testing.T) {
	f, eng := ecrFleet(t, &ECRConfig{Region: "us-east-1", CrossRegionBytesPerSecond: 20 * mib, Images: []ECRImage{
		{Name: "far:1", SizeBytes: 500 * mib, Region: "eu-west-1", Replicas: []string{"ap-south-1"}},
	}})
	now := eng.Now()
	img := f.ImageID("far:1")
	assert.Equal(t, now+des.At(25*time.Second), f.Pull(0, img, 500*mib, false), "500 MiB at 20 MiB/s")
	assert.Equal(t, now+des.At(25*time.Second), f.Pull(0, img, 500*mib, false), "the instance's own pull is shared")
	assert.Equal(t, now+des.At(25*time.Second), f.Pull(1, img, 500*mib, false))
	assert.Equal(t, int64(2*500*mib), f.ECRUsage().CrossRegionBytes, "two instances pulled across regions")
}

func TestECRPullThroughFirstPullFromUpstreamThenCached(t *testing.T) {
	f, eng := ecrFleet(t, &ECRConfig{Region: "us-east-1", UpstreamBytesPerSecond: 10 * mib, Images: []ECRImage{
		{Name: "docker-hub/nginx:1", SizeBytes: 100 * mib, PullThrough: true},
	}})
	img := f.ImageID("docker-hub/nginx:1")
	now := eng.Now()
	assert.Equal(t, now+des.At(10*time.Second), f.Pull(0, img, 100*mib, false), "first pull: 100 MiB at the upstream's 10 MiB/s")
	_, err := eng.Run(now + des.At(5*time.Second))
	require.NoError(t, err)
	mid := eng.Now()
	assert.Equal(t, mid+des.At(10*time.Second), f.Pull(1, img, 100*mib, false), "ECR is still filling its cache: upstream too")
	_, err = eng.Run(now + des.At(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, eng.Now()+des.At(time.Second), f.PullUncached(img, 100*mib, 100*mib), "cached in ECR: in-region speed")
	assert.Equal(t, 2, f.ECRUsage().UpstreamPulls)
}

func TestECRPullFailureWindow(t *testing.T) {
	f, eng := ecrFleet(t, &ECRConfig{Region: "us-east-1", Images: []ECRImage{{Name: "app:1", SizeBytes: mib}, {Name: "other:1", SizeBytes: mib}},
		Failures: []PullFailure{{Image: "app:1", From: 10 * time.Minute, To: 20 * time.Minute}}})
	app, other := f.ImageID("app:1"), f.ImageID("other:1")
	assert.Empty(t, f.PullFailure(0, app, false), "before the window")
	f.Pull(0, app, mib, false)
	_, err := eng.Run(des.At(10 * time.Minute))
	require.NoError(t, err)
	assert.Equal(t, DefaultPullFailureMessage, f.PullFailure(1, app, false), "not cached on instance 1")
	assert.Empty(t, f.PullFailure(0, app, false), "cached, no registry check")
	assert.Equal(t, DefaultPullFailureMessage, f.PullFailure(0, app, true), "cached, but the pull policy checks the registry")
	assert.Empty(t, f.PullFailure(1, other, false), "another image")
	assert.Equal(t, DefaultPullFailureMessage, f.RegistryFailure(app))
	_, err = eng.Run(des.At(20 * time.Minute))
	require.NoError(t, err)
	assert.Empty(t, f.PullFailure(1, app, false), "the window ends at To")
}

func TestECRNilKeepsPlainBandwidth(t *testing.T) {
	f, eng := ecrFleet(t, nil)
	img := f.ImageID("x:1")
	assert.Equal(t, eng.Now()+des.At(3*time.Second), f.Pull(0, img, 300*mib, false))
	assert.Empty(t, f.PullFailure(0, img, true))
	assert.Equal(t, ECRUsage{}, f.ECRUsage())
}

// Kubernetes: back-off 10 s, doubling, capped at 300 s.
func TestKubeletImageBackoff(t *testing.T) {
	want := []time.Duration{10, 20, 40, 80, 160, 300, 300}
	for i, w := range want {
		assert.Equal(t, w*time.Second, KubeletImageBackoff(i+1), "failure %d", i+1)
	}
}
