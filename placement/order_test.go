package placement

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Instances added in falling ID order each go first: the room between
// labels halves every time, runs out, and every label is spaced again.
func TestLabelsStayInIDOrderWhenEveryInstanceGoesFirst(t *testing.T) {
	p := NewPool()
	s := mustSpec(t, p, Task{CPUUnits: 256, MemoryMiB: 512, Group: "service:web", Strategies: mustStrategies(t, "binpack", "memory")})
	for i := 199; i >= 0; i-- {
		_, err := p.Add(inst(fmt.Sprintf("i-%04d", i)).mem(int32(1024 + 512*(i%5))).obj())
		require.NoError(t, err)
	}
	checkIndexes(t, p)
	// binpack(memory): the 1024 MiB instances, first in ID order: i-0000.
	h := p.Place(s, nil).Chosen
	require.NotEqual(t, NoHandle, h)
	assert.Equal(t, "i-0000", p.InstanceID(h))
	require.NoError(t, p.Reserve(h, s))
	checkIndexes(t, p)
}

// An order's runs split as they fill and merge as they empty; the order
// and its summaries hold throughout.
func TestOrdersSplitAndMergeTheirRuns(t *testing.T) {
	p := NewPool()
	s := mustSpec(t, p, Task{CPUUnits: 256, MemoryMiB: 512, Group: "service:web", Strategies: mustStrategies(t, "spread", "instanceId")})
	var hs []Handle
	for i := range 5 * runCap {
		h, err := p.Add(inst(fmt.Sprintf("i-%04d", i)).obj())
		require.NoError(t, err)
		hs = append(hs, h)
	}
	o := s.part.groupOrder(s.part.bucketAt(0), s.group)
	assert.Greater(t, len(o.runs), 5, "split into runs of at most runCap")
	checkIndexes(t, p)
	for _, h := range hs[:4*runCap] {
		p.Remove(h)
	}
	checkIndexes(t, p)
	assert.LessOrEqual(t, len(o.runs), 4, "emptied runs go, small ones merge")
	assert.Equal(t, runCap, o.n)
}

// A flat position read from the Fenwick tree of run lengths is the count
// of the entries before it, through inserts, removes, moves, splits and
// merges, whether or not the tree was valid when they happened.
func TestFlatPositionsCountTheEntriesBefore(t *testing.T) {
	p, hs := numberedPool(t, 6*runCap)
	o := &order{legacy: true}
	keys := map[Handle]int32{}
	naive := func(ri, i int) int {
		for _, r := range o.runs[:ri] {
			i += len(r.hs)
		}
		return i
	}
	check := func(step int) {
		for ri, r := range o.runs {
			for i := range r.hs {
				if got, want := o.pos(ri, i), naive(ri, i); got != want {
					t.Fatalf("step %d: pos(%d, %d) = %d, want %d", step, ri, i, got, want)
				}
			}
		}
	}
	for step, h := range hs {
		keys[h] = int32(step % 7)
		o.insert(p, h, keys[h])
		if step%5 == 0 {
			check(step)
		}
	}
	check(-1)
	for step, h := range hs {
		switch step % 3 {
		case 0:
			o.move(p, h, keys[h], keys[h]+3)
			keys[h] += 3
		case 1:
			o.remove(p, h, keys[h])
			delete(keys, h)
		}
		if step%4 == 0 {
			check(step)
		}
	}
	check(-2)
	assert.Equal(t, len(keys), o.n)
}

// The max tree over run summaries finds the run a run-by-run skip finds,
// as entries come, go and change their free resources.
func TestNextFitIsTheFirstRunThatFits(t *testing.T) {
	p := NewPool()
	s := mustSpec(t, p, Task{CPUUnits: 1024, MemoryMiB: 2048, Group: "service:web", Strategies: mustStrategies(t, "binpack", "memory")})
	o := &order{legacy: true}
	var hs []Handle
	for i := range 12 * runCap {
		cpu := int32(512 + 1024*(i%3)) // a third of them fit on CPU
		h, err := p.Add(inst(fmt.Sprintf("i-%04d", i)).cpu(cpu).mem(int32(1024 * (1 + i%5))).obj())
		require.NoError(t, err)
		hs = append(hs, h)
		o.insert(p, h, int32(i%11))
	}
	naive := func(ri int) int {
		for ; ri < len(o.runs); ri++ {
			if o.runs[ri].summary().fits(s) {
				return ri
			}
		}
		return len(o.runs)
	}
	check := func(step int) {
		for ri := range len(o.runs) + 1 {
			if got, want := o.nextFit(ri, s), naive(ri); got != want {
				t.Fatalf("step %d: nextFit(%d) = %d, want %d", step, ri, got, want)
			}
		}
	}
	check(-1)
	for step, h := range hs {
		switch {
		case step%2 == 0:
			o.remove(p, h, int32(step%11))
		case step%3 == 0: // now it fits, or no longer
			p.cands[h].cpu = 4096 - p.cands[h].cpu
			o.refresh(p, h, int32(step%11))
		}
		if step%7 == 0 {
			check(step)
		}
	}
	check(-2)
}

// firstFit goes on to the right when a node's maxima fit but none of its
// runs does (one has the CPU, the other the memory), and finds none past
// the last run.
func TestFirstFitLooksPastANodeWhoseMaximaAloneFit(t *testing.T) {
	s := &Spec{cpu: 1024, mem: 2048}
	leaves := []blockMax{{4096, 512, 1}, {512, 8192, 1}, {-1, -1, -1}, {2048, 4096, 1}, {512, 512, 1}}
	o := &order{}
	for range leaves {
		o.runs = append(o.runs, newRun())
	}
	o.tsize = 8
	o.tree = make([]blockMax, 2*o.tsize)
	for k := range o.tsize {
		o.tree[o.tsize+k] = blockMax{-1, -1, -1}
		if k < len(leaves) {
			o.tree[o.tsize+k] = leaves[k]
		}
	}
	for k := o.tsize - 1; k >= 1; k-- {
		o.tree[k] = maxOf(o.tree[2*k], o.tree[2*k+1])
	}
	for from, want := range []int{3, 3, 3, 3, -1, -1, -1, -1, -1} {
		assert.Equal(t, want, o.firstFit(from, s), "from %d", from)
	}
}

// A move whose new place stays inside its run shifts that run's entries
// (order.shiftWithin); it must leave the order exactly as a remove and an
// insert would: the same entries in the same order with the same keys and
// free resources, the same summaries and, for a legacy order, the same
// zeroed blocks. Twin orders take the same random moves, small (mostly
// within a run) and large (across runs), one through move and one through
// the remove and insert move falls back on.
func TestAMoveWithinARunLeavesWhatARemoveAndAnInsertWould(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) {
			p, hs := numberedPool(t, 5*runCap)
			fast, slow := &order{legacy: legacy}, &order{legacy: legacy}
			keys := map[Handle]int32{}
			rnd := rand.New(rand.NewPCG(1, 2))
			for _, h := range hs {
				keys[h] = int32(rnd.IntN(400))
				fast.insert(p, h, keys[h])
				slow.insert(p, h, keys[h])
			}
			shifted := 0
			for step := range 4000 {
				h := hs[rnd.IntN(len(hs))]
				old := keys[h]
				v := old + int32(rnd.IntN(7)) - 3
				if step%5 == 0 {
					v = int32(rnd.IntN(400))
				}
				if v == old {
					continue
				}
				p.cands[h].cpu = int32(rnd.IntN(4096)) // the free resources change with the key
				ri, i := fast.locate(old, p.cands[h].label)
				if fast.shiftWithin(p, h, ri, i, old, v) {
					shifted++
				} else {
					fast.move(p, h, old, v)
				}
				ri, i = slow.locate(old, p.cands[h].label)
				from := slow.pos(ri, i)
				slow.removeEntry(ri, i)
				ri, i = slow.insertEntry(p, h, v)
				if legacy {
					slow.unzero(from, slow.pos(ri, i))
				}
				keys[h] = v
				flat := func(o *order) (out []string) {
					for _, r := range o.runs {
						for k := range r.hs {
							out = append(out, fmt.Sprintf("%d:%d:%v", r.hs[k], r.keys[k], r.fits[k]))
						}
					}
					return out
				}
				require.Equal(t, flat(slow), flat(fast), "step %d", step)
				for ri, r := range fast.runs {
					want := blockMax{-1, -1, -1}
					for _, f := range r.fits {
						want = maxOf(want, f)
					}
					require.Equal(t, want, r.summary(), "step %d: run %d's summary", step, ri)
					last := len(r.hs) - 1
					require.Equal(t, lastEntry{lbl: r.lbls[last], key: r.keys[last]}, fast.lasts[ri], "step %d: run %d's last entry", step, ri)
				}
				if legacy {
					for pos := range fast.n {
						require.Equal(t, slow.zeroed(pos), fast.zeroed(pos), "step %d: block of %d", step, pos)
					}
				}
			}
			assert.Greater(t, shifted, 1000, "most small moves stay in their run")
		})
	}
}

// numberedPool is a pool of n default instances i-0000, i-0001, ...
func numberedPool(t *testing.T, n int) (*Pool, []Handle) {
	t.Helper()
	p := NewPool()
	var hs []Handle
	for i := range n {
		h, err := p.Add(inst(fmt.Sprintf("i-%04d", i)).obj())
		require.NoError(t, err)
		hs = append(hs, h)
	}
	return p, hs
}
