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
	for i := 1; i < len(p.order); i++ {
		require.Less(t, p.cands[p.order[i-1]].label, p.cands[p.order[i]].label, "labels follow the ID order")
	}
	tasks := map[int32]int32{}
	for _, h := range p.order {
		gs := &p.cands[h].groups
		seen := map[int32]bool{}
		for i := range gs.len() {
			gc := gs.at(i)
			require.Positive(t, gc.n, "%s: group %d held with no task", p.cands[h].id, gc.group)
			require.False(t, seen[gc.group], "%s: group %d held twice", p.cands[h].id, gc.group)
			seen[gc.group] = true
			tasks[gc.group] += gc.n
		}
	}
	for g := range int32(len(p.groups.strs)) {
		require.Equal(t, tasks[g], p.groupTasks(g), "tasks of group %d", g)
	}
	for _, part := range p.parts {
		total, want := 0, 0
		for _, h := range p.order {
			if part.sub == nil || part.sub.has(p, h) {
				want++
				require.True(t, part.has(h), "partition %d: instance %s missing", part.attr, p.cands[h].id)
			}
		}
		for _, v := range part.present {
			b := part.buckets[v]
			require.NotEmpty(t, b.members)
			total += len(b.members)
			require.True(t, slices.IsSortedFunc(b.members, func(x, y Handle) int { return cmpInt32(p.cands[x].rank, p.cands[y].rank) }))
			for r, o := range b.byRes {
				if part.keep[r] {
					checkOrder(t, p, o, b.members, func(h Handle) int32 { return p.cands[h].resource(resource(r)) })
				}
			}
			if part.rank {
				checkOrder(t, p, b.byRank, b.members, func(Handle) int32 { return 0 })
			}
			for gi, o := range b.byGroup {
				g := part.groups[gi]
				checkOrder(t, p, o, b.members, func(h Handle) int32 { return p.cands[h].groupCount(g) })
			}
		}
		require.Equal(t, want, total)
	}
}

// checkOrder fails unless o holds exactly members, sorted by (key, rank),
// with their keys and free resources, and run summaries that do not
// understate them.
func checkOrder(t *testing.T, p *Pool, o *order, members []Handle, key func(Handle) int32) {
	t.Helper()
	hs := o.handles()
	require.Equal(t, slices.Sorted(slices.Values(members)), slices.Sorted(slices.Values(hs)))
	require.Equal(t, len(members), o.n)
	require.True(t, slices.IsSortedFunc(hs, func(x, y Handle) int {
		if d := cmpInt32(key(x), key(y)); d != 0 {
			return d
		}
		return cmpInt32(p.cands[x].rank, p.cands[y].rank)
	}))
	if o.lastsOK { // the runs' last entries, as kept, are the runs' own
		require.Len(t, o.lasts, len(o.runs))
		for ri, r := range o.runs {
			last := len(r.hs) - 1
			require.Equal(t, lastEntry{lbl: r.lbls[last], key: r.keys[last]}, o.lasts[ri], "run %d's last entry", ri)
		}
	}
	for ri, r := range o.runs {
		for i, h := range r.hs { // where at finds each entry, by its hint or by search
			gr, gi := o.at(h, r.keys[i], r.lbls[i])
			require.Equal(t, [2]int{ri, i}, [2]int{gr, gi}, "where the order finds %d", h)
		}
	}
	for _, r := range o.runs {
		require.NotEmpty(t, r.hs)
		require.LessOrEqual(t, len(r.hs), runCap)
		m := r.summary()
		exact := blockMax{-1, -1, -1}
		for _, f := range r.fits {
			exact = blockMax{max(exact.cpu, f.cpu), max(exact.mem, f.mem), max(exact.enis, f.enis)}
		}
		require.Equal(t, exact, m, "run summary")
		for i, h := range r.hs {
			require.Equal(t, key(h), r.keys[i])
			require.Equal(t, p.cands[h].label, r.lbls[i])
			require.Equal(t, fitOf(&p.cands[h]), r.fits[i])
			f := r.fits[i]
			require.True(t, m.cpu >= f.cpu && m.mem >= f.mem && m.enis >= f.enis)
		}
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
	{"spread", "instanceId"},
	{"spread", "instanceId", "random", ""},
	{"spread", "attribute:ecs.availability-zone", "spread", "instanceId", "binpack", "cpu"},
	{},
}

func TestIndexedPlacementAgreesWithTheReferenceScan(t *testing.T) {
	seeds := 50
	if testing.Short() {
		seeds = 5
	}
	for seed := range uint64(seeds) {
		t.Run(fmt.Sprintf("seed %d", seed+1), func(t *testing.T) { propertyRun(t, seed+1, 5+int(seed%7)*5, 300) })
	}
}

// Pools of several hundred instances: the indexes' orders split into many
// runs, merge and shift between them, and binpack's old flat index (the
// oracle of binpack chains: legacy_test.go) has many blocks.
func TestIndexedPlacementAgreesWithTheReferenceScanOnLargePools(t *testing.T) {
	seeds := 8
	if testing.Short() {
		seeds = 2
	}
	for seed := range uint64(seeds) {
		t.Run(fmt.Sprintf("seed %d", seed+1), func(t *testing.T) { propertyRun(t, seed+100, 400, 1500) })
	}
}

func propertyRun(t *testing.T, seed uint64, instances, steps int) {
	r := rand.New(rand.NewPCG(seed, 99))
	p := NewPool()
	var fi *flatIndex
	addRandom := func(i int) {
		b := inst(fmt.Sprintf("i-%04d", r.IntN(10*instances))).cpu(int32(256 * (1 + r.IntN(8)))).mem(int32(512 * (1 + r.IntN(8)))).enis(int32(r.IntN(3)))
		if r.IntN(5) > 0 {
			b.az([]string{"us-east-1a", "us-east-1b", "us-east-1c"}[r.IntN(3)])
		}
		b.typ([]string{"t2.small", "m5.large"}[r.IntN(2)])
		if h, err := p.Add(b.obj()); err == nil && fi != nil { // duplicate IDs are refused: fine
			fi.added(p, h)
		}
	}
	for i := range instances + r.IntN(instances) {
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
		if r.IntN(3) == 0 { // static: the spec's indexes hold the matching instances only
			task.Constraints = append(task.Constraints, mustMemberOf(t, []string{"attribute:ecs.instance-type == m5.large",
				"attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", "not(attribute:ecs.availability-zone exists)"}[r.IntN(3)]))
		}
		specs = append(specs, mustSpec(t, p, task))
	}
	fi = newFlatIndex(p)
	type placed struct {
		h Handle
		s *Spec
	}
	var running []placed
	for step := range steps {
		switch op := r.IntN(10); {
		case op < 6:
			s := specs[r.IntN(len(specs))]
			var want, got Handle
			switch {
			case usesFlatIndex(s):
				// Binpack: the placement the old flat index made.
				want = fi.choose(p, s, rand.New(rand.NewPCG(seed, uint64(step))))
				got = p.Place(s, rand.New(rand.NewPCG(seed, uint64(step)))).Chosen
			case s.random:
				// A random tie-break: the indexed search must draw the tie
				// set the full scan draws, in the same order.
				want, _ = p.scanBest(s, 0, p.order, rand.New(rand.NewPCG(seed, uint64(step))))
				got = p.Place(s, rand.New(rand.NewPCG(seed, uint64(step)))).Chosen
			default:
				want = referencePlace(p, s)
				got = p.Place(s, r).Chosen
			}
			require.Equal(t, want, got, "step %d", step)
			if got != NoHandle {
				cpu, mem := p.cands[got].cpu, p.cands[got].mem
				require.NoError(t, p.Reserve(got, s))
				fi.changed(p, got, cpu, mem)
				running = append(running, placed{got, s})
			}
		case op < 8 && len(running) > 0:
			i := r.IntN(len(running))
			h := running[i].h
			cpu, mem := p.cands[h].cpu, p.cands[h].mem
			require.NoError(t, p.Release(h, running[i].s))
			fi.changed(p, h, cpu, mem)
			running = slices.Delete(running, i, i+1)
		case op == 8 && p.Len() > 0:
			h := p.order[r.IntN(p.Len())]
			fi.removing(p, h)
			p.Remove(h)
			running = slices.DeleteFunc(running, func(x placed) bool { return x.h == h })
			addRandom(step)
		default:
			if p.Len() > 0 {
				h := p.order[r.IntN(p.Len())]
				p.SetActive(h, !p.cands[h].active)
				fi.changed(p, h, p.cands[h].cpu, p.cands[h].mem)
			}
		}
		if instances < 100 || step%50 == 0 {
			checkIndexes(t, p)
		}
	}
	checkIndexes(t, p)
}
