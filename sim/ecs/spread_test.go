package ecs

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// referenceVictims is scale-in under spread as first written: each victim
// scans the busiest value's candidates for the busiest instance, the
// newest on ties.
func referenceVictims(vals, insts []int, nv, ni, k int) []int {
	valCount, instCnt := make([]int, nv), make([]int, ni)
	for i := range vals {
		valCount[vals[i]]++
		instCnt[insts[i]]++
	}
	taken := make([]bool, len(vals))
	var out []int
	for range k {
		top := 0
		for v := range valCount {
			if valCount[v] > valCount[top] {
				top = v
			}
		}
		best := -1
		for i := range vals {
			if !taken[i] && vals[i] == top && (best < 0 || instCnt[insts[i]] > instCnt[insts[best]]) {
				best = i
			}
		}
		taken[best] = true
		valCount[vals[best]]--
		instCnt[insts[best]]--
		out = append(out, best)
	}
	return out
}

func TestSpreadScaleInPicksTheVictimsOfTheScan(t *testing.T) {
	for seed := range uint64(200) {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 7))
			nv, ni, n := 1+r.IntN(4), 1+r.IntN(30), 1+r.IntN(300)
			vals, insts := make([]int, n), make([]int, n)
			instVal := make([]int, ni) // an instance has one value, but for "no instance" (the last), which has any
			for i := range instVal {
				instVal[i] = r.IntN(nv)
			}
			for i := range n {
				insts[i] = r.IntN(ni)
				vals[i] = instVal[insts[i]]
				if insts[i] == ni-1 {
					vals[i] = r.IntN(nv)
				}
			}
			k := 1 + r.IntN(n)
			c := &spreadCounts{valCount: make([]int, nv), instCnt: make([]int, ni)}
			for i := range n {
				c.add(int32(i), vals[i], insts[i])
			}
			c.order()
			var got []int
			for range k {
				got = append(got, int(c.next(nil)))
			}
			require.Equal(t, referenceVictims(vals, insts, nv, ni, k), got)
		})
	}
}
