package placement

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAFailedSearchHoldsUntilThePoolChanges(t *testing.T) {
	p, hs := poolOf(t, inst("i-1").mem(1024).obj(), inst("i-2").mem(512).obj())
	big := mustSpec(t, p, Task{MemoryMiB: 2048, Group: "service:web", Strategies: mustStrategies(t, "binpack", "memory")})

	d := p.Place(big, nil)
	require.Equal(t, NoHandle, d.Chosen)
	assert.Equal(t, int32(2), d.Considered)
	assert.Equal(t, int32(2), d.Rejected[ReasonMemory])
	assert.Equal(t, p.ver, big.failVer, "the failure is remembered at this version of the pool")
	assert.Equal(t, d, p.Place(big, nil), "asked again, nothing changed: the same answer and reasons")

	p.SetActive(hs[1], false)
	assert.NotEqual(t, p.ver, big.failVer, "a change of the pool ends the memo")
	d = p.Place(big, nil)
	assert.Equal(t, NoHandle, d.Chosen)
	assert.Equal(t, int32(1), d.Considered, "the reasons are counted again")
	assert.Equal(t, int32(1), d.Rejected[ReasonMemory])
}

func TestAFailedRandomSearchDrawsWhatTheSearchWould(t *testing.T) {
	p, _ := poolOf(t, inst("i-1").mem(512).obj(), inst("i-2").mem(512).obj(), inst("i-3").mem(512).obj())
	s := mustSpec(t, p, Task{MemoryMiB: 1024, Group: "family:etl", Strategies: mustStrategies(t, "random", "")})
	memo, fresh := rand.New(rand.NewPCG(1, 2)), rand.New(rand.NewPCG(1, 2))
	for range 3 {
		require.Equal(t, NoHandle, p.Choose(s, memo)) // the second and third answer from the memo
		require.Equal(t, NoHandle, p.randomBest(s, fresh))
	}
	assert.Equal(t, fresh.Uint64(), memo.Uint64(), "the stream is where three full searches leave it")
}
