package placement

import (
	"fmt"
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
