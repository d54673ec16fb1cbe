package placement

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// referencePlace is the rule written plainly: the fitting active instance
// with the lowest strategy keys, earliest in ID order on ties. Place's
// indexed searches must agree with it for every chain without random.
func referencePlace(p *Pool, s *Spec) Handle {
	best, bestK := NoHandle, keyVec{}
	for _, h := range p.order {
		c := &p.cands[h]
		if !c.active || p.check(h, c, s) != Fits {
			continue
		}
		var k keyVec
		for i := range s.strats {
			k[i] = p.key(s, i, c)
		}
		if best == NoHandle || compareKeys(k, bestK, 0, len(s.strats)) < 0 {
			best, bestK = h, k
		}
	}
	return best
}

// checkIndexes fails if an index is out of step with the instances.
func checkIndexes(t *testing.T, p *Pool) {
	t.Helper()
	for _, part := range p.parts {
		total := 0
		for _, v := range part.present {
			b := part.buckets[v]
			require.NotEmpty(t, b.members)
			total += len(b.members)
			require.True(t, slices.IsSortedFunc(b.members, func(x, y Handle) int { return cmpInt32(p.cands[x].rank, p.cands[y].rank) }))
			for r := range b.byRes {
				if !part.keep[r] {
					continue
				}
				require.Len(t, b.byRes[r], len(b.members))
				require.True(t, slices.IsSortedFunc(b.byRes[r], func(x, y Handle) int {
					if d := cmpInt32(p.cands[x].resource(resource(r)), p.cands[y].resource(resource(r))); d != 0 {
						return d
					}
					return cmpInt32(p.cands[x].rank, p.cands[y].rank)
				}), "partition %d resource %d", part.attr, r)
				want := slices.Clone(b.blocks[r])
				b.fixBlocks(p, resource(r), 0, -1)
				require.Equal(t, want, b.blocks[r], "block summaries of partition %d resource %d", part.attr, r)
			}
		}
		require.Equal(t, len(p.order), total)
	}
}

var propertyChains = [][]string{
	{"binpack", "memory"},
	{"binpack", "cpu", "spread", "instanceId"},
	{"spread", "attribute:ecs.availability-zone", "binpack", "memory"},
	{"spread", "attribute:ecs.availability-zone", "spread", "instanceId"},
	{"spread", "attribute:ecs.instance-type", "binpack", "cpu", "spread", "attribute:ecs.availability-zone"},
	{"spread", "instanceId", "binpack", "memory"},
	{"binpack", "memory", "binpack", "cpu"},
	{},
}

func TestIndexedPlacementAgreesWithTheReferenceScan(t *testing.T) {
	seeds := 50
	if testing.Short() {
		seeds = 5
	}
	for seed := range uint64(seeds) {
		t.Run(fmt.Sprintf("seed %d", seed+1), func(t *testing.T) { propertyRun(t, seed+1) })
	}
}

func propertyRun(t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 99))
	p := NewPool()
	addRandom := func(i int) {
		b := inst(fmt.Sprintf("i-%03d", r.IntN(1000))).cpu(int32(256 * (1 + r.IntN(8)))).mem(int32(512 * (1 + r.IntN(8)))).enis(int32(r.IntN(3)))
		if r.IntN(5) > 0 {
			b.az([]string{"us-east-1a", "us-east-1b", "us-east-1c"}[r.IntN(3)])
		}
		b.typ([]string{"t2.small", "m5.large"}[r.IntN(2)])
		_, _ = p.Add(b.obj()) // duplicate IDs are refused: fine
	}
	for i := range 5 + r.IntN(30) {
		addRandom(i)
	}
	var specs []*Spec
	for i, chain := range propertyChains {
		task := Task{CPUUnits: int32(128 * r.IntN(4)), MemoryMiB: int32(256 * (1 + r.IntN(4))), Group: fmt.Sprintf("service:%d", i%3),
			NeedsENI: r.IntN(4) == 0, Strategies: mustStrategies(t, chain...)}
		if r.IntN(3) == 0 {
			task.Constraints = append(task.Constraints, Constraint{Kind: DistinctInstanceConstraint})
		}
		if r.IntN(3) == 0 {
			task.Constraints = append(task.Constraints, mustMemberOf(t, "attribute:ecs.instance-type =~ t2.* or runningTasksCount < 2"))
		}
		specs = append(specs, mustSpec(t, p, task))
	}
	type placed struct {
		h Handle
		s *Spec
	}
	var running []placed
	for step := range 300 {
		switch op := r.IntN(10); {
		case op < 6:
			s := specs[r.IntN(len(specs))]
			want := referencePlace(p, s)
			got := p.Place(s, r).Chosen
			require.Equal(t, want, got, "step %d", step)
			if got != NoHandle {
				require.NoError(t, p.Reserve(got, s))
				running = append(running, placed{got, s})
			}
		case op < 8 && len(running) > 0:
			i := r.IntN(len(running))
			require.NoError(t, p.Release(running[i].h, running[i].s))
			running = slices.Delete(running, i, i+1)
		case op == 8 && p.Len() > 0:
			h := p.order[r.IntN(p.Len())]
			p.Remove(h)
			running = slices.DeleteFunc(running, func(x placed) bool { return x.h == h })
			addRandom(step)
		default:
			if p.Len() > 0 {
				h := p.order[r.IntN(p.Len())]
				p.SetActive(h, !p.cands[h].active)
			}
		}
		checkIndexes(t, p)
	}
}
