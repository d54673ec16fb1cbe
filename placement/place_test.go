package placement

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBinpackOnMemoryPicksTheFullestInstanceThatFits(t *testing.T) {
	tests := []struct {
		name string
		mems []int32 // i-1, i-2, ... free memory
		task int32
		n    int
		want []string
	}{
		{"the 1024 MiB instance is fullest and fits 1000", []int32{4096, 1024, 2048, 512}, 1000, 1, []string{"i-2"}},
		{"after it fills, the next fullest that fits takes the next task", []int32{4096, 1024, 2048, 512}, 1000, 4, []string{"i-2", "i-3", "i-3", "i-1"}},
		{"the 512 MiB instance is never used for 1000 MiB tasks", []int32{512, 1000}, 1000, 2, []string{"i-2", "-"}},
		{"equal memory goes to the first in instance ID order", []int32{2048, 2048}, 1000, 1, []string{"i-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ins []Instance
			for i, m := range tt.mems {
				ins = append(ins, inst("i-"+string(rune('1'+i))).mem(m).obj())
			}
			p, _ := poolOf(t, ins...)
			s := mustSpec(t, p, Task{MemoryMiB: tt.task, Group: "family:a", Strategies: mustStrategies(t, "binpack", "memory")})
			assert.Equal(t, tt.want, placeN(t, p, s, tt.n, nil))
		})
	}
}

func TestSpreadOverThreeZonesPlacesTwoTwoTwo(t *testing.T) {
	p, _ := poolOf(t,
		inst("i-c").az("us-east-1c").obj(),
		inst("i-a").az("us-east-1a").obj(),
		inst("i-b").az("us-east-1b").obj(),
	)
	s := mustSpec(t, p, Task{CPUUnits: 256, MemoryMiB: 256, Group: "service:web",
		Strategies: mustStrategies(t, "spread", "attribute:ecs.availability-zone")})
	// Each zone ties at 0, then 1: instance ID order breaks the tie.
	assert.Equal(t, []string{"i-a", "i-b", "i-c", "i-a", "i-b", "i-c"}, placeN(t, p, s, 6, nil))
}

func TestSpreadCountsTasksOfTheGroupOnly(t *testing.T) {
	p, hs := poolOf(t, inst("i-a").az("us-east-1a").obj(), inst("i-b").az("us-east-1b").obj())
	other := mustSpec(t, p, Task{Group: "service:other"})
	require.NoError(t, p.Reserve(hs[0], other))
	require.NoError(t, p.Reserve(hs[0], other))
	web := mustSpec(t, p, Task{Group: "service:web", Strategies: mustStrategies(t, "spread", "attribute:ecs.availability-zone")})
	assert.Equal(t, []string{"i-a", "i-b"}, placeN(t, p, web, 2, nil), "service:other tasks do not count for service:web")
}

func TestSpreadCountsTasksOnUnfitInstancesOfAZone(t *testing.T) {
	// Zone a has a full instance running 2 web tasks and an empty one; zone b
	// has one empty instance. Zone a counts 2, so b is chosen until it also
	// counts 2; then the tie goes to i-a2, first in ID order.
	p, hs := poolOf(t,
		inst("i-a1").az("us-east-1a").obj(),
		inst("i-a2").az("us-east-1a").obj(),
		inst("i-b1").az("us-east-1b").obj(),
	)
	web := mustSpec(t, p, Task{MemoryMiB: 4096, Group: "service:web", Strategies: mustStrategies(t, "spread", "attribute:ecs.availability-zone")})
	require.NoError(t, p.Reserve(hs[0], web))
	require.NoError(t, p.Reserve(hs[0], web))
	assert.Equal(t, []string{"i-b1", "i-b1", "i-a2"}, placeN(t, p, web, 3, nil))
}

func TestDistinctInstanceNeverDoublesAGroupOnOneInstance(t *testing.T) {
	p, _ := poolOf(t, inst("i-1").obj(), inst("i-2").obj(), inst("i-3").obj())
	s := mustSpec(t, p, Task{MemoryMiB: 100, Group: "service:db",
		Constraints: []Constraint{{Kind: DistinctInstanceConstraint}},
		Strategies:  mustStrategies(t, "binpack", "memory")})
	assert.Equal(t, []string{"i-1", "i-2", "i-3", "-"}, placeN(t, p, s, 4, nil))
	d := p.Place(s, nil)
	assert.Equal(t, int32(3), d.Rejected[ReasonDistinctInstance])
	other := mustSpec(t, p, Task{MemoryMiB: 100, Group: "service:api", Constraints: []Constraint{{Kind: DistinctInstanceConstraint}}})
	assert.NotEqual(t, NoHandle, p.Place(other, nil).Chosen, "another group is not blocked")
}

func TestStaticPortBlocksASecondTaskOnTheSameInstance(t *testing.T) {
	tests := []struct {
		name      string
		instances int
		task      Task
		want      []string
	}{
		{"host port 80 twice on one instance: the second fails", 1, Task{HostPorts: []uint16{80}}, []string{"i-1", "-"}},
		{"host port 80 twice on two instances: one each", 2, Task{HostPorts: []uint16{80}}, []string{"i-1", "i-2"}},
		{"dynamic ports never conflict", 1, Task{DynamicPorts: 2}, []string{"i-1", "i-1", "i-1"}},
		{"a reserved agent port is never available", 1, Task{HostPorts: []uint16{51678}}, []string{"-"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ins []Instance
			for i := range tt.instances {
				in := inst("i-" + string(rune('1'+i))).obj()
				in.ReservedPorts = LinuxReservedPorts()
				ins = append(ins, in)
			}
			p, _ := poolOf(t, ins...)
			tt.task.Group = "service:web"
			assert.Equal(t, tt.want, placeN(t, p, mustSpec(t, p, tt.task), len(tt.want), nil))
		})
	}
}

func TestReleaseFreesThePortAndTheENI(t *testing.T) {
	p, hs := poolOf(t, inst("i-1").enis(2).obj())
	s := mustSpec(t, p, Task{HostPorts: []uint16{8080}, NeedsENI: true, Group: "service:web"})
	require.Equal(t, []string{"i-1", "-"}, placeN(t, p, s, 2, nil))
	require.NoError(t, p.Release(hs[0], s))
	assert.Equal(t, []string{"i-1"}, placeN(t, p, s, 1, nil))
	assert.Error(t, p.Release(hs[0], mustSpec(t, p, Task{Group: "service:none"})), "releasing a task never reserved")
}

func TestAwsvpcStopsAtTheENILimit(t *testing.T) {
	// m5.large: 3 ENIs, 2 for tasks (aws-semantics.md "Ports and ENIs").
	p, _ := poolOf(t, inst("i-1").enis(2).obj())
	s := mustSpec(t, p, Task{CPUUnits: 10, MemoryMiB: 10, NeedsENI: true, Group: "service:web"})
	assert.Equal(t, []string{"i-1", "i-1", "-"}, placeN(t, p, s, 3, nil))
	d := p.Place(s, nil)
	assert.Equal(t, int32(1), d.Rejected[ReasonENI])
	_, _, free := p.Remaining(0)
	assert.Equal(t, int32(0), free)
}

func TestChainedStrategiesBreakTiesInOrder(t *testing.T) {
	tests := []struct {
		name   string
		strats []string
		want   []string
	}{
		// i-1 1a 4096, i-2 1a 2048, i-3 1b 8192, i-4 1b 3072; tasks 1000 MiB.
		{"spread zone then binpack memory: fullest in the emptier zone", []string{"spread", "attribute:ecs.availability-zone", "binpack", "memory"},
			[]string{"i-2", "i-4", "i-2", "i-4"}},
		{"binpack memory alone ignores zones", []string{"binpack", "memory"}, []string{"i-2", "i-2", "i-4", "i-4"}},
		{"binpack cpu ties (equal cpu) broken by binpack memory", []string{"binpack", "cpu", "binpack", "memory"}, []string{"i-2", "i-2", "i-4", "i-4"}},
		{"spread instance then binpack memory: fullest empty instance first", []string{"spread", "instanceId", "binpack", "memory"},
			[]string{"i-2", "i-4", "i-1", "i-3"}},
		{"spread zone then spread instance (service default)", []string{"spread", "attribute:ecs.availability-zone", "spread", "instanceId"},
			[]string{"i-1", "i-3", "i-2", "i-4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := poolOf(t,
				inst("i-1").az("us-east-1a").mem(4096).obj(),
				inst("i-2").az("us-east-1a").mem(2048).obj(),
				inst("i-3").az("us-east-1b").mem(8192).obj(),
				inst("i-4").az("us-east-1b").mem(3072).obj(),
			)
			s := mustSpec(t, p, Task{CPUUnits: 100, MemoryMiB: 1000, Group: "service:web", Strategies: mustStrategies(t, tt.strats...)})
			assert.Equal(t, tt.want, placeN(t, p, s, len(tt.want), nil))
		})
	}
}

func TestEachFailureReasonIsCounted(t *testing.T) {
	tests := []struct {
		name string
		task Task
		want Reason
	}{
		{"too much CPU", Task{CPUUnits: 5000}, ReasonCPU},
		{"too much memory", Task{MemoryMiB: 9000}, ReasonMemory},
		{"CPU is reported before memory", Task{CPUUnits: 5000, MemoryMiB: 9000}, ReasonCPU},
		{"a reserved port", Task{HostPorts: []uint16{22}}, ReasonPorts},
		{"ENIs exhausted", Task{NeedsENI: true}, ReasonENI},
		{"memberOf unmet", Task{Constraints: []Constraint{{Kind: MemberOfConstraint}}}, ReasonMemberOf},
		{"distinctInstance unmet", Task{Group: "service:db", Constraints: []Constraint{{Kind: DistinctInstanceConstraint}}}, ReasonDistinctInstance},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := inst("i-1").enis(0).obj()
			a.ReservedPorts = LinuxReservedPorts()
			b := inst("i-2").enis(0).obj()
			b.ReservedPorts = LinuxReservedPorts()
			p, hs := poolOf(t, a, b, inst("i-3").inactive().obj())
			if tt.want == ReasonDistinctInstance {
				for _, h := range hs[:2] {
					require.NoError(t, p.Reserve(h, mustSpec(t, p, Task{Group: "service:db"})))
				}
			}
			if tt.want == ReasonMemberOf {
				tt.task.Constraints[0] = mustMemberOf(t, "attribute:ecs.instance-type == p4d.24xlarge")
			}
			d := p.Place(mustSpec(t, p, tt.task), nil)
			want := Decision{Chosen: NoHandle, Considered: 2}
			want.Rejected[tt.want] = 2
			assert.Equal(t, want, d)
			assert.Contains(t, d.Summary(), tt.want.String()+" 2")
		})
	}
}

func TestSummaryListsReasonsInReasonOrder(t *testing.T) {
	d := Decision{Chosen: NoHandle, Considered: 5}
	d.Rejected[ReasonMemberOf] = 2
	d.Rejected[ReasonCPU] = 3
	assert.Equal(t, "unable to place a task because no container instance met all of its requirements (5 considered: RESOURCE:CPU 3, MemberOf placement constraint unsatisfied 2)", d.Summary())
	assert.Equal(t, "unable to place a task: no container instances were found in the cluster", Decision{Chosen: NoHandle}.Summary())
}

func TestInactiveInstancesAreNeverChosen(t *testing.T) {
	p, hs := poolOf(t, inst("i-1").obj(), inst("i-2").obj())
	p.SetActive(hs[0], false)
	for _, chain := range [][]string{nil, {"binpack", "memory"}, {"random", ""}, {"spread", "attribute:ecs.availability-zone"}} {
		s := mustSpec(t, p, Task{Group: "g", Strategies: mustStrategies(t, chain...)})
		assert.Equal(t, []string{"i-2", "i-2"}, placeN(t, p, s, 2, rand.New(rand.NewPCG(1, 2))), chain)
	}
}

func TestSameSeedGivesSamePlacements(t *testing.T) {
	run := func(seed uint64) []string {
		var ins []Instance
		for i := range 40 {
			ins = append(ins, inst(string(rune('A'+i%26))+string(rune('a'+i/26))).az([]string{"1a", "1b", "1c"}[i%3]).obj())
		}
		p, _ := poolOf(t, ins...)
		r := rand.New(rand.NewPCG(seed, 7))
		s1 := mustSpec(t, p, Task{MemoryMiB: 300, Group: "family:batch", Strategies: DefaultRunTaskStrategies()})
		s2 := mustSpec(t, p, Task{MemoryMiB: 500, Group: "service:web", Strategies: mustStrategies(t, "spread", "attribute:ecs.availability-zone", "random", "")})
		return append(placeN(t, p, s1, 50, r), placeN(t, p, s2, 50, r)...)
	}
	assert.Equal(t, run(1), run(1))
	assert.NotEqual(t, run(1), run(2))
}

func TestRandomIsUniformOverFittingInstances(t *testing.T) {
	// 4 instances, i-2 too small: 30000 draws, each fitting one ~1/3 (sd ~82).
	p, _ := poolOf(t, inst("i-1").obj(), inst("i-2").mem(10).obj(), inst("i-3").obj(), inst("i-4").obj())
	s := mustSpec(t, p, Task{MemoryMiB: 100, Group: "g", Strategies: DefaultRunTaskStrategies()})
	r := rand.New(rand.NewPCG(3, 4))
	counts := map[string]int{}
	for range 30000 {
		counts[p.InstanceID(p.Place(s, r).Chosen)]++
	}
	assert.Zero(t, counts["i-2"])
	for _, id := range []string{"i-1", "i-3", "i-4"} {
		assert.InDelta(t, 10000, counts[id], 400, id)
	}
}

func TestDefaultServiceStrategiesSpreadZonesThenInstances(t *testing.T) {
	// update-service-parameters.html: fewest service tasks in the zone, then on the instance.
	p, _ := poolOf(t,
		inst("i-1").az("us-east-1a").obj(), inst("i-2").az("us-east-1a").obj(),
		inst("i-3").az("us-east-1b").obj(),
	)
	s := mustSpec(t, p, Task{MemoryMiB: 100, Group: "service:web", Strategies: DefaultServiceStrategies()})
	assert.Equal(t, []string{"i-1", "i-3", "i-2", "i-3", "i-1", "i-3"}, placeN(t, p, s, 6, nil))
}

func TestRemoveTakesTheInstanceAndItsTasksOut(t *testing.T) {
	p, hs := poolOf(t, inst("i-a").az("us-east-1a").obj(), inst("i-b").az("us-east-1b").obj())
	s := mustSpec(t, p, Task{Group: "service:web", Strategies: mustStrategies(t, "spread", "attribute:ecs.availability-zone")})
	require.Equal(t, []string{"i-a", "i-b", "i-a"}, placeN(t, p, s, 3, nil))
	p.Remove(hs[0])
	h, err := p.Add(inst("i-c").az("us-east-1a").obj())
	require.NoError(t, err)
	assert.Equal(t, hs[0], h, "the freed handle is reused")
	assert.Equal(t, []string{"i-c", "i-b", "i-c"}, placeN(t, p, s, 3, nil), "zone a counts 0 after i-a left, zone b 1")
	_, err = p.Add(inst("i-c").obj())
	assert.Error(t, err, "duplicate ID")
}

func TestValidationNamesEveryProblem(t *testing.T) {
	tests := []struct {
		name string
		task Task
		want []string
	}{
		{"unknown strategy type", Task{Strategies: []Strategy{{Kind: 9}}}, []string{"strategy 1: unknown strategy type"}},
		{"binpack on disk", Task{Strategies: []Strategy{{BinpackStrategy, "disk"}}}, []string{`binpack field "disk": want cpu or memory`}},
		{"spread on a bare name", Task{Strategies: []Strategy{{SpreadStrategy, "zone"}}}, []string{`spread field "zone"`}},
		{"six strategies", Task{Strategies: make([]Strategy, 6)}, []string{"6 strategies, at most 5"}},
		{"eleven constraints", Task{Constraints: make([]Constraint, 11)}, []string{"11 constraints, at most 10"}},
		{"distinctInstance with an expression", Task{Constraints: []Constraint{{Kind: DistinctInstanceConstraint, Expr: &Expr{}}}}, []string{"distinctInstance takes no expression"}},
		{"memberOf without an expression", Task{Constraints: []Constraint{{Kind: MemberOfConstraint}}}, []string{"memberOf needs an expression"}},
		{"duplicate and zero ports", Task{HostPorts: []uint16{80, 0, 80}}, []string{"host port 80 given twice", "static host port 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewPool().NewSpec(tt.task)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
	for _, bad := range [][2]string{{"spreed", "host"}, {"binpack", "disk"}, {"spread", ""}} {
		_, err := ParseStrategy(bad[0], bad[1])
		assert.Error(t, err, bad)
	}
	_, err := ParseConstraint("distinctInstance", "runningTasksCount == 0")
	assert.ErrorContains(t, err, "distinctInstance takes no expression")
	_, err = ParseConstraint("memberOf", "runningTasksCount ==")
	assert.ErrorContains(t, err, "column 21")
	st, err := ParseStrategy("spread", "host")
	require.NoError(t, err)
	assert.Equal(t, Strategy{SpreadStrategy, "host"}, st)
}

// When random's draws all miss, the scan that follows reads the free
// resources kept in the order; a spec needing a host port, a GPU or a
// constraint must still be checked instance by instance. 300 instances,
// two with room: on i-0100 the task's static port is taken, so i-0200 is
// the only choice, whether a draw finds it or the scan does.
func TestRandomsScanStillChecksPortsWhereResourcesFit(t *testing.T) {
	var ins []Instance
	for i := range 300 {
		b := inst(fmt.Sprintf("i-%04d", i)).mem(100)
		if i == 100 || i == 200 {
			b = b.mem(4096)
		}
		ins = append(ins, b.obj())
	}
	p, hs := poolOf(t, ins...)
	holder := mustSpec(t, p, Task{MemoryMiB: 512, HostPorts: []uint16{8080}, Group: "g"})
	require.NoError(t, p.Reserve(hs[100], holder))
	s := mustSpec(t, p, Task{MemoryMiB: 512, HostPorts: []uint16{8080}, Group: "g", Strategies: DefaultRunTaskStrategies()})
	assert.False(t, s.bare)
	r := rand.New(rand.NewPCG(5, 6))
	for range 200 {
		assert.Equal(t, "i-0200", p.InstanceID(p.Place(s, r).Chosen))
	}
	bare := mustSpec(t, p, Task{MemoryMiB: 512, Group: "g", Strategies: DefaultRunTaskStrategies()})
	assert.True(t, bare.bare)
	seen := map[string]int{}
	for range 200 {
		seen[p.InstanceID(p.Place(bare, r).Chosen)]++
	}
	assert.Len(t, seen, 2, "without the port both fit: %v", seen)
	assert.Positive(t, seen["i-0100"])
	assert.Positive(t, seen["i-0200"])
}

// A bare spec's fallback counts the fitting instances and walks to the one
// drawn instead of listing them: it must choose what the listing scan
// chooses and leave the generator where the scan leaves it (one draw, none
// for a single fitting instance), on pools where none, one or many fit.
func TestRandomsCountedDrawIsTheListingScans(t *testing.T) {
	rnd := rand.New(rand.NewPCG(11, 12))
	for trial := range 60 {
		var ins []Instance
		size := 1 + rnd.IntN(400)
		room := []int{0, 1, size / 3, size}[trial%4] // instances with room for the task
		for i := range size {
			mem := int32(256)
			if i < room {
				mem = 2048
			}
			ins = append(ins, inst(fmt.Sprintf("i-%04d", rnd.IntN(1<<20)*1000+i)).mem(mem).enis(int32(rnd.IntN(2))).obj())
		}
		p, hs := poolOf(t, ins...)
		for _, h := range hs {
			if rnd.IntN(10) == 0 {
				p.SetActive(h, false)
			}
		}
		s := mustSpec(t, p, Task{MemoryMiB: 1024, NeedsENI: trial%2 == 1, Group: "g", Strategies: DefaultRunTaskStrategies()})
		require.True(t, s.bare)
		o := p.rankOrder(s)
		for range 5 {
			seed := rnd.Uint64()
			r1, r2 := rand.New(rand.NewPCG(seed, 1)), rand.New(rand.NewPCG(seed, 1))
			want, _ := p.scanOrder(s, 0, o, r1)
			got := p.drawFitting(s, o, r2)
			require.Equal(t, want, got, "trial %d", trial)
			require.Equal(t, r1.Uint64(), r2.Uint64(), "trial %d: the generators part", trial)
		}
	}
}
