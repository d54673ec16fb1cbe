package ecs

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// newWorld builds the ECS side of a one-hour run on n m5.large instances
// behind the capacity provider "cp", with a "web" task definition of 512
// CPU / 1024 MiB and the given services: the kernel, a capacity fleet and
// the world, wired as sim wires them (sim's own tests run whole scenarios).
func newWorld(t testing.TB, n int, services ...ServiceConfig) (*World, *capacity.Fleet, *des.Engine) {
	t.Helper()
	it, ok := catalog.Default().Lookup("m5.large")
	require.True(t, ok)
	zones := []string{"us-east-1a", "us-east-1b"}
	groups := []capacity.GroupConfig{{Name: "asg", InstanceTypes: []catalog.InstanceType{it}, MinSize: n, MaxSize: n, DesiredCapacity: n,
		AvailabilityZones: zones, LaunchTime: 90 * time.Second, OnDemandPercentageAboveBase: 100}}
	cfg := &Config{
		Region:            "us-east-1",
		Start:             time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
		Duration:          time.Hour,
		Cluster:           ClusterConfig{Name: "c", AvailabilityZones: zones},
		Groups:            groups,
		CapacityProviders: []CapacityProviderConfig{{Name: "cp", Group: 0}},
		TaskDefinitions: []TaskDefinition{{Family: "web", Revision: 1, NetworkMode: NetworkBridge, CPU: 512, MemoryMiB: 1024,
			StopTimeout: 30 * time.Second, Containers: []ContainerDefinition{{Name: "app", Image: "web:1", ImageSizeBytes: 100 << 20, Essential: true}}}},
		Services: services,
		Settings: Settings{RegisteredMemory: RegisteredMemory{KernelMemoryNumerator: 7985, KernelMemoryDenominator: 8192},
			ContainerStartTime: 2 * time.Second, FargateStartTime: 30 * time.Second, FargatePullBytesPerSecond: 50 << 20,
			SampleEvery: time.Minute, ImagePullBehavior: "default", SpotNotice: 2 * time.Minute,
			ThrottleBase: 15 * time.Second, ThrottleMax: 27 * time.Minute, TaskEvents: true, ServiceSeries: true},
	}
	eng := des.New(1)
	log := &schema.Log{}
	fleet := capacity.New(&capacity.Config{Zones: zones, Groups: groups,
		Settings: capacity.Settings{SpotNotice: 2 * time.Minute, InstanceFailureDetection: 3 * time.Minute, ImagePullBytesPerSecond: 100 << 20}}, eng, log)
	w := New(cfg, eng, fleet, log)
	fleet.Attach(w)
	return w, fleet, eng
}

// runWorld runs the world to its end, as sim does, and returns the first
// error.
func runWorld(w *World, fleet *capacity.Fleet, eng *des.Engine) error {
	fleet.Start()
	w.Start()
	w.StartSampling()
	if _, err := eng.Run(des.At(w.cfg.Duration)); err != nil {
		return err
	}
	w.CheckEnd()
	return eng.Err()
}

func TestTheHarnessRunsAServiceToItsDesiredCount(t *testing.T) {
	w, fleet, eng := newWorld(t, 2, ServiceConfig{Name: "web", DesiredCount: 6, ProviderStrategy: []StrategyItem{{Provider: "cp", Weight: 1}}})
	require.NoError(t, runWorld(w, fleet, eng))
	o := w.Outcome()
	assert.Equal(t, 6, o.Services[0].RunningAtEnd)
	assert.Len(t, o.State.Describe().ContainerInstances, 2)
}

func TestBaseAndWeightSplitTasksAcrossProviders(t *testing.T) {
	// AWS (ECS Developer Guide, capacity provider strategy example): provider A
	// base 1 weight 1, provider B weight 4: first task on A, then 1:4.
	items := []strategyItem{{provider: 10, base: 1, weight: 1}, {provider: 11, weight: 4}}
	counts := make([]int, 2)
	var order []int
	for range 11 {
		i := pickProvider(items, counts)
		counts[i]++
		order = append(order, i)
	}
	assert.Equal(t, 0, order[0], "base first")
	assert.Equal(t, []int{3, 8}, counts, "1 base + 10 split 1:4")
}

func TestComposedLoadPatterns(t *testing.T) {
	w, _, _ := newWorld(t, 0)
	cfg := w.cfg
	at := func(d time.Duration) time.Time { return cfg.Start.Add(d) }
	sum := w.pattern("s", &LoadConfig{Pattern: "sum", Components: []LoadConfig{
		{Pattern: "constant", BaseRPS: 100},
		{Pattern: "ramp", BaseRPS: 0, PeakRPS: 60, RampStart: time.Hour, RampEnd: 3 * time.Hour},
	}})
	assert.InDelta(t, 100, sum.Rate(at(30*time.Minute)), 1e-9, "before the ramp")
	assert.InDelta(t, 130, sum.Rate(at(2*time.Hour)), 1e-9, "half way up the ramp")
	assert.InDelta(t, 160, sum.Rate(at(4*time.Hour)), 1e-9, "after the ramp")

	clipped := w.pattern("c", &LoadConfig{Pattern: "constant", BaseRPS: 100, Scale: 3, ClipMax: 250})
	assert.InDelta(t, 250, clipped.Rate(at(time.Hour)), 1e-9, "scaled to 300, clipped to 250")

	spike := w.pattern("p", &LoadConfig{Pattern: "spike", BaseRPS: 10, SpikeAt: time.Hour, Rise: 10 * time.Minute, Decay: 30 * time.Minute, AddedRPS: 90})
	assert.InDelta(t, 10, spike.Rate(at(30*time.Minute)), 1e-9, "before the spike")
	assert.InDelta(t, 100, spike.Rate(at(70*time.Minute)), 1e-6, "at the top of the spike")
	assert.Less(t, spike.Rate(at(3*time.Hour)), 15.0, "decayed")
}

// A task holds no pointer (its texts are ids, its zone an index), so that
// the garbage collector never scans the task array, and stays within 144
// bytes.
func TestTaskRecordHoldsNoPointer(t *testing.T) {
	var walk func(reflect.Type) []string
	walk = func(ty reflect.Type) (bad []string) {
		for i := range ty.NumField() {
			f := ty.Field(i)
			switch f.Type.Kind() {
			case reflect.String, reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Func, reflect.Chan, reflect.UnsafePointer:
				bad = append(bad, f.Name)
			case reflect.Struct:
				bad = append(bad, walk(f.Type)...)
			}
		}
		return bad
	}
	if bad := walk(reflect.TypeOf(task{})); len(bad) > 0 {
		t.Errorf("task fields holding pointers: %v", bad)
	}
	if n := reflect.TypeOf(task{}).Size(); n > 144 {
		t.Errorf("task is %d bytes, want at most 144", n)
	}
}

// The texts tasks hold come back as they went in, "" as id 0, and a text
// seen again, among the recent ones or not, keeps its id.
func TestStrTableKeepsOneIDPerText(t *testing.T) {
	var tab strTable
	assert.Equal(t, textID(0), tab.id(""))
	words := []string{"a", "b", "c", "d", "e", "f"}
	ids := map[string]textID{}
	for range 3 {
		for _, s := range words {
			id := tab.id(s)
			if old, ok := ids[s]; ok {
				assert.Equal(t, old, id, s)
			}
			ids[s] = id
			assert.Equal(t, s, tab.str(id))
		}
	}
	assert.Len(t, tab.strs, len(words)+1)
	assert.Equal(t, "", tab.str(0))
}
