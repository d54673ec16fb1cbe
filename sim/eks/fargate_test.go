package eks

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/placement/kube"
)

const fgGiB = int64(1) << 30
const fgMiB = int64(1) << 20

func fgContainer(milli, memBytes int64) kube.Container {
	return kube.Container{Requests: kube.Resources{MilliCPU: milli, MemoryBytes: memBytes}}
}

// AWS's own example (fargate-pod-configuration.html): 1 vCPU and 8 GB
// requested, plus 256 MB, has no 1 vCPU / 9 GB size, so it is 2 vCPU / 9 GB.
func TestSizeFargatePodAWSExample(t *testing.T) {
	p := &kube.Pod{Containers: []kube.Container{fgContainer(1000, 8*fgGiB)}}
	s, err := SizeFargatePod(p)
	require.NoError(t, err)
	assert.Equal(t, FargatePodSize{CPU: 2048, MemoryMiB: 9 * 1024, RequestCPU: 1024, RequestMemoryMiB: 8*1024 + 256}, s)
}

// Init containers: the largest init request (1.5 vCPU / 3 GiB) beats the
// app containers' sum (0.25+0.25 vCPU, 512+512 MiB); +256 MiB -> 3328 MiB;
// 2 vCPU's smallest memory is 4 GB.
func TestSizeFargatePodInitContainersDominate(t *testing.T) {
	p := &kube.Pod{
		InitContainers: []kube.Container{fgContainer(500, 1*fgGiB), fgContainer(1500, 3*fgGiB)},
		Containers:     []kube.Container{fgContainer(250, 512*fgMiB), fgContainer(250, 512*fgMiB)},
	}
	s, err := SizeFargatePod(p)
	require.NoError(t, err)
	assert.Equal(t, FargatePodSize{CPU: 2048, MemoryMiB: 4096, RequestCPU: 1536, RequestMemoryMiB: 3*1024 + 256}, s)
}

// Per resource maximum: init wins on memory (2 GiB), apps win on CPU
// (0.5 vCPU); 2048+256 MiB rounds to 0.5 vCPU / 3 GB. Without the 256 MB it
// would have been 0.5 vCPU / 2 GB: the test pins the addition.
func TestSizeFargatePodPerResourceMaxAnd256MB(t *testing.T) {
	p := &kube.Pod{
		InitContainers: []kube.Container{fgContainer(100, 2*fgGiB)},
		Containers:     []kube.Container{fgContainer(300, 256*fgMiB), fgContainer(200, 256*fgMiB)},
	}
	s, err := SizeFargatePod(p)
	require.NoError(t, err)
	assert.Equal(t, 512, s.CPU)
	assert.Equal(t, 3*1024, s.MemoryMiB)
	assert.Equal(t, 2*1024+256, s.RequestMemoryMiB)
}

// No requests: the smallest combination, 0.25 vCPU / 0.5 GB.
func TestSizeFargatePodNoRequests(t *testing.T) {
	s, err := SizeFargatePod(&kube.Pod{Containers: []kube.Container{{}}})
	require.NoError(t, err)
	assert.Equal(t, 256, s.CPU)
	assert.Equal(t, 512, s.MemoryMiB)
}

// Native sidecars count with the app containers.
func TestSizeFargatePodSidecarCountsAsLongRunning(t *testing.T) {
	side := fgContainer(1000, 1*fgGiB)
	side.Sidecar = true
	p := &kube.Pod{InitContainers: []kube.Container{side}, Containers: []kube.Container{fgContainer(1000, 1*fgGiB)}}
	s, err := SizeFargatePod(p)
	require.NoError(t, err)
	assert.Equal(t, 2048, s.CPU)
	assert.Equal(t, 4096, s.MemoryMiB) // 2 GiB + 256 MiB, 2 vCPU's floor is 4 GB
}

// 16 vCPU / 120 GB is the largest: 120 GiB requested plus 256 MiB exceeds it.
func TestSizeFargatePodTooLarge(t *testing.T) {
	_, err := SizeFargatePod(&kube.Pod{Containers: []kube.Container{fgContainer(4000, 120*fgGiB)}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "16 vCPU / 120 GB")
	_, err = SizeFargatePod(&kube.Pod{Containers: []kube.Container{fgContainer(17000, 1*fgGiB)}})
	require.Error(t, err)
	s, err := SizeFargatePod(&kube.Pod{Containers: []kube.Container{fgContainer(16000, 119*fgGiB)}})
	require.NoError(t, err)
	assert.Equal(t, FargatePodSize{CPU: 16384, MemoryMiB: 120 * 1024, RequestCPU: 16384, RequestMemoryMiB: 119*1024 + 256}, s)
}

func fgProfiles() []FargateProfile {
	return []FargateProfile{
		{Name: "api", Selectors: []FargateSelector{{Namespace: "prod", Labels: map[string]string{"app": "api", "tier": "web"}}}},
		{Name: "prod-all", Selectors: []FargateSelector{{Namespace: "staging"}, {Namespace: "prod"}}},
	}
}

func TestFargateSelectorNeedsNamespaceAndEveryLabel(t *testing.T) {
	s := fgProfiles()[0].Selectors[0]
	assert.True(t, s.Matches("prod", map[string]string{"app": "api", "tier": "web", "extra": "x"}))
	assert.False(t, s.Matches("prod", map[string]string{"app": "api"}), "one label missing")
	assert.False(t, s.Matches("prod", map[string]string{"app": "api", "tier": "db"}), "label value differs")
	assert.False(t, s.Matches("staging", map[string]string{"app": "api", "tier": "web"}), "other namespace")
}

func TestMatchFargateProfile(t *testing.T) {
	ps := fgProfiles()
	web := map[string]string{"app": "api", "tier": "web"}
	// Matches both: the pick draws among them.
	assert.Equal(t, 0, MatchFargateProfile(ps, "prod", web, nil))
	assert.Equal(t, 1, MatchFargateProfile(ps, "prod", web, func(n int) int { require.Equal(t, 2, n); return 1 }))
	// Only the namespace-wide profile.
	assert.Equal(t, 1, MatchFargateProfile(ps, "staging", web, func(int) int { t.Fatal("no draw for one match"); return 0 }))
	// No profile: nodes.
	assert.Equal(t, -1, MatchFargateProfile(ps, "default", web, nil))
	// The label picks, without a draw.
	labelled := map[string]string{"app": "api", "tier": "web", FargateProfileLabel: "prod-all"}
	assert.Equal(t, 1, MatchFargateProfile(ps, "prod", labelled, func(int) int { t.Fatal("label decides"); return 0 }))
	// The label names a profile the pod does not match: not on Fargate.
	labelled = map[string]string{FargateProfileLabel: "api"}
	assert.Equal(t, -1, MatchFargateProfile(ps, "prod", labelled, nil))
}

func TestCheckFargatePod(t *testing.T) {
	ok := &PodTemplate{Pod: kube.Pod{Containers: []kube.Container{fgContainer(500, fgGiB)}}}
	require.NoError(t, CheckFargatePod(ok, false, false))
	assert.ErrorContains(t, CheckFargatePod(ok, true, false), "DaemonSet")
	assert.ErrorContains(t, CheckFargatePod(ok, false, true), "privileged")
	hn := *ok
	hn.HostNetwork = true
	assert.ErrorContains(t, CheckFargatePod(&hn, false, false), "hostNetwork")
	hp := &PodTemplate{Pod: kube.Pod{Containers: []kube.Container{{Name: "web", HostPorts: []kube.HostPort{{Port: 8080}}}}}}
	assert.ErrorContains(t, CheckFargatePod(hp, false, false), `container "web" sets hostPort 8080`)
	big := &PodTemplate{Pod: kube.Pod{Containers: []kube.Container{fgContainer(16000, 120*fgGiB)}}}
	assert.ErrorContains(t, CheckFargatePod(big, false, false), "largest Fargate size")
}
