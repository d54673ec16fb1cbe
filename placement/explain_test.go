package placement

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// explainPool is the worked example: five active instances and one
// draining, 4096 CPU units each; i-2 already runs one task of service:web.
//
//	i-1 zone a t3.large 8192 MiB   (not m5: memberOf says no)
//	i-2 zone a m5.large 8192 MiB   one web task: 6144 MiB left
//	i-3 zone b m5.large 6144 MiB
//	i-4 zone b m5.large 1024 MiB   (short of memory)
//	i-5 zone b m5.large            draining
//	i-6 zone b m5.large 4096 MiB
func explainPool(t *testing.T) (*Pool, *Spec, Task, []Handle) {
	p, hs := poolOf(t,
		inst("i-1").az("a").typ("t3.large").obj(),
		inst("i-2").az("a").typ("m5.large").obj(),
		inst("i-3").az("b").typ("m5.large").mem(6144).obj(),
		inst("i-4").az("b").typ("m5.large").mem(1024).obj(),
		inst("i-5").az("b").typ("m5.large").inactive().obj(),
		inst("i-6").az("b").typ("m5.large").mem(4096).obj(),
	)
	task := Task{CPUUnits: 512, MemoryMiB: 2048, Group: "service:web",
		Constraints: []Constraint{mustMemberOf(t, "attribute:ecs.instance-type =~ m5.*")},
		Strategies:  mustStrategies(t, "spread", "attribute:ecs.availability-zone", "binpack", "memory")}
	s := mustSpec(t, p, task)
	require.NoError(t, p.Reserve(hs[1], s))
	return p, s, task, hs
}

func TestExplainTaskTheWorkedExample(t *testing.T) {
	// By hand: i-1 fails memberOf, i-4 has 1024 of the 2048 MiB, i-5 drains.
	// spread(zone): zone a holds 1 web task, zone b none: i-3 and i-6 (key
	// 0) before i-2 (key 1). binpack(memory) breaks the tie: i-6 keeps
	// 4096-2048 = 2048 MiB, i-3 6144-2048 = 4096: i-6 first, i-3, then i-2
	// (6144-2048 = 4096).
	p, s, task, _ := explainPool(t)
	d := p.Place(s, nil)
	require.NotEqual(t, NoHandle, d.Chosen)
	ex := p.ExplainTask(s, task, d.Chosen)

	assert.Equal(t, "i-6", p.InstanceID(d.Chosen), "Place's choice")
	assert.Equal(t, "i-6", ex.Chosen)
	assert.Equal(t, []string{"i-6"}, ex.Best)
	assert.Equal(t, []string{`memberOf(attribute:ecs.instance-type =~ 'm5.*')`}, ex.Constraints)
	assert.Equal(t, []string{"spread(attribute:ecs.availability-zone)", "binpack(memory)"}, ex.Strategies)
	assert.Equal(t, TaskNeeds{CPUUnits: 512, MemoryMiB: 2048}, ex.Needs)
	assert.Equal(t, 5, ex.Considered)
	assert.Equal(t, 3, ex.Feasible)
	assert.Equal(t, []ReasonCount{{"RESOURCE:MEMORY", 1}, {"MemberOf placement constraint unsatisfied", 1}}, ex.Rejected)

	type row struct {
		rejectedBy, lacks string
		rank              int
		keys              []StrategyKey
	}
	zone := func(v string, n int64) StrategyKey {
		return StrategyKey{"spread(attribute:ecs.availability-zone)", v, n}
	}
	mem := func(n int64) StrategyKey { return StrategyKey{"binpack(memory)", "", n} }
	want := map[string]row{
		"i-1": {rejectedBy: ex.Constraints[0]},
		"i-2": {rank: 3, keys: []StrategyKey{zone("a", 1), mem(4096)}},
		"i-3": {rank: 2, keys: []StrategyKey{zone("b", 0), mem(4096)}},
		"i-4": {rejectedBy: "RESOURCE:MEMORY", lacks: "needs 2048 MiB, 1024 MiB left"},
		"i-5": {rejectedBy: "inactive (DRAINING)"},
		"i-6": {rank: 1, keys: []StrategyKey{zone("b", 0), mem(2048)}},
	}
	require.Len(t, ex.Instances, 6)
	for _, iv := range ex.Instances {
		w := want[iv.Instance]
		assert.Equal(t, w, row{iv.RejectedBy, iv.Lacks, iv.Rank, iv.Keys}, iv.Instance)
		assert.Equal(t, w.rejectedBy == "", iv.Feasible, iv.Instance)
		require.Len(t, iv.Constraints, 1, iv.Instance)
		assert.Equal(t, iv.Instance != "i-1", iv.Constraints[0].Satisfied, "%s: every constraint's verdict, whatever the resources say", iv.Instance)
	}
	assert.Equal(t, "placed on i-6, first of the 3 instances that fit (5 active) by spread(attribute:ecs.availability-zone), then binpack(memory)", ex.Summary())
	_, err := json.Marshal(ex)
	require.NoError(t, err)
}

func TestExplainTaskSaysWhyNothingFits(t *testing.T) {
	p, _, task, _ := explainPool(t)
	task.MemoryMiB = 16384
	s := mustSpec(t, p, task)
	d := p.Place(s, nil)
	ex := p.ExplainTask(s, task, d.Chosen)
	assert.Empty(t, ex.Chosen)
	assert.Empty(t, ex.Best)
	assert.Equal(t, 0, ex.Feasible)
	assert.Equal(t, []ReasonCount{{"RESOURCE:MEMORY", 5}}, ex.Rejected, "memory is checked before the constraint")
	assert.Equal(t, "not placed: 0 of 5 instances fit (RESOURCE:MEMORY 5)", ex.Summary())
	assert.Equal(t, d.Rejected[ReasonMemory], int32(ex.Rejected[0].Instances), "the counts Place gives")
}

func TestExplainTaskWithRandomNamesTheDrawAndChangesNothing(t *testing.T) {
	// Placing 20 tasks with and without an explanation before each Reserve
	// draws the same instances: ExplainTask neither draws nor moves the
	// pool. Random leaves every feasible instance in Best.
	place := func(explain bool) []string {
		p, _, task, _ := explainPool(t)
		task.Strategies = DefaultRunTaskStrategies()
		task.Group = "family:etl"
		s := mustSpec(t, p, task)
		r := rand.New(rand.NewPCG(7, 7))
		var got []string
		for range 20 {
			h := p.Choose(s, r)
			if h == NoHandle {
				got = append(got, "-")
				continue
			}
			if explain {
				ex := p.ExplainTask(s, task, h)
				assert.Contains(t, ex.Best, ex.Chosen)
				assert.Len(t, ex.Best, ex.Feasible, "random draws among every feasible instance")
			}
			require.NoError(t, p.Reserve(h, s))
			got = append(got, p.InstanceID(h))
		}
		return got
	}
	assert.Equal(t, place(false), place(true))
}

// Explain's counts for a spec that needs only CPU, memory and an ENI come
// from the rank order's copies of the free resources; they must be the
// first failed check of every active instance, as Fit reports it, through
// reservations, releases and instances going inactive and back.
func TestExplainOfABareSpecCountsWhatFitSays(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	var ins []Instance
	for i := range 400 {
		ins = append(ins, inst(fmt.Sprintf("i-%04d", i)).cpu(int32(256*rnd.IntN(9))).mem(int32(512*rnd.IntN(9))).enis(int32(rnd.IntN(3))).obj())
	}
	p, hs := poolOf(t, ins...)
	for _, eni := range []bool{false, true} {
		s := mustSpec(t, p, Task{CPUUnits: 512, MemoryMiB: 1024, NeedsENI: eni, Group: "g", Strategies: DefaultRunTaskStrategies()})
		require.True(t, s.bare)
		filler := mustSpec(t, p, Task{CPUUnits: 256, MemoryMiB: 512, Group: "f"})
		for step := range 60 {
			h := hs[rnd.IntN(len(hs))]
			switch step % 3 {
			case 0:
				p.SetActive(h, !p.cands[h].active)
			case 1:
				_ = p.Reserve(h, filler) // where it fits
			default:
				_ = p.Release(h, filler) // where one is held
			}
			var want Decision
			for _, h := range hs {
				if !p.cands[h].active {
					continue
				}
				want.Considered++
				if r := p.Fit(h, s); r != Fits {
					want.Rejected[r]++
				}
			}
			got := p.Explain(s)
			require.Equal(t, want.Considered, got.Considered, "eni=%v step %d", eni, step)
			require.Equal(t, want.Rejected, got.Rejected, "eni=%v step %d", eni, step)
		}
	}
}
