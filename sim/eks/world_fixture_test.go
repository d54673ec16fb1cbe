package eks

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/placement/kube"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// rig is one EKS world on its own kernel and fleet, built from plain
// values: what sim wires, without sim.
type rig struct {
	t     *testing.T
	eng   *des.Engine
	log   *schema.Log
	fleet *capacity.Fleet
	w     *World
}

var start = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// group is a capacity group of n instances of type typ in zone a.
func group(t *testing.T, name, typ string, n int) capacity.GroupConfig {
	return capacity.GroupConfig{Name: name, InstanceTypes: []catalog.InstanceType{lookup(t, typ)}, MinSize: 0, MaxSize: 100,
		DesiredCapacity: n, AvailabilityZones: []string{"us-east-1a", "us-east-1b"}, LaunchTime: 90 * time.Second,
		OnDemandPercentageAboveBase: 100}
}

func newRig(t *testing.T, cfg *Config, groups []capacity.GroupConfig, seed uint64, d time.Duration) *rig {
	t.Helper()
	r := &rig{t: t, eng: des.New(seed), log: &schema.Log{}}
	ccfg := &capacity.Config{Zones: []string{"us-east-1a", "us-east-1b"}, Groups: groups,
		Settings: capacity.Settings{SpotNotice: 2 * time.Minute, InstanceFailureDetection: 3 * time.Minute,
			ImagePullBytesPerSecond: 100 << 20, CachedPullTime: time.Second}}
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

// until runs the kernel to t and checks the books.
func (r *rig) until(t time.Duration) {
	r.t.Helper()
	_, err := r.eng.Run(des.At(t))
	require.NoError(r.t, err)
	r.w.CheckEnd()
	require.NoError(r.t, r.eng.Err())
}

// baseConfig is a cluster with one managed node group per capacity group.
func baseConfig(groups ...string) *Config {
	cfg := &Config{Name: "test", Version: "1.33", ControlPlaneUSDPerHour: 0.10, Zones: []string{"us-east-1a", "us-east-1b"},
		Settings: Settings{NodeRegistration: 30 * time.Second, PodEvents: true}}
	for i, g := range groups {
		cfg.NodeGroups = append(cfg.NodeGroups, NodeGroup{Name: g, Kind: Managed, Group: i})
	}
	return cfg
}

// tmpl is a pod template requesting cpu millicores and mem MiB, one image.
func tmpl(app string, cpu, memMiB int64) PodTemplate {
	return PodTemplate{
		Pod: kube.Pod{Labels: map[string]string{"app": app}, Containers: []kube.Container{{Name: app, Image: "repo/" + app + ":1",
			Requests: kube.Resources{MilliCPU: cpu, MemoryBytes: memMiB * MiB}}}},
		PriorityClass: -1, Images: []Image{{Name: "repo/" + app + ":1", SizeBytes: 50 << 20}},
		TerminationGracePeriod: 30 * time.Second, StartTime: 2 * time.Second,
	}
}

func deploy(name string, replicas int, t PodTemplate) Deployment {
	return Deployment{Name: name, Namespace: "default", Replicas: replicas, Template: t,
		MaxSurge: IntOrPercent{Value: 25, Percent: true}, MaxUnavailable: IntOrPercent{Value: 25, Percent: true}}
}

// podsOf lists the pods of workload k that are not gone.
func (r *rig) podsOf(k int) []*pod {
	var out []*pod
	for pi := range r.w.pods {
		if p := &r.w.pods[pi]; p.workload == k && !p.gone {
			out = append(out, p)
		}
	}
	return out
}

func (r *rig) events(typ schema.EventType) []schema.Event {
	var out []schema.Event
	for _, e := range r.log.All() {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func selOf(app string) kube.LabelSelector {
	return kube.LabelSelector{MatchLabels: map[string]string{"app": app}}
}
