package ecs

import (
	"testing"

	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTaskUsagesKeepEveryRecordInOrderAcrossChunks pins the result's usage
// records: kept in the run's chunks, they read back as the one slice they
// replace would, in placement order, across chunk boundaries, and a record
// changed through At (a task's stop) is the record the result holds.
func TestTaskUsagesKeepEveryRecordInOrderAcrossChunks(t *testing.T) {
	var l usageLog
	n := 2*usageChunk + 3
	for i := range n {
		require.Equal(t, int32(i), l.add(TaskUsage{Owner: int32(i % 7), Start: des.Time(i), Stop: -1}))
		if i == 10 {
			// A small run's log holds no whole chunk: the first grows.
			require.Less(t, cap(l.chunks[0]), usageChunk)
			l.at(3).Stop = 7 // stopped while the first chunk still grows (and moves)
		}
	}
	require.Len(t, l.chunks, 3, "records fill fixed chunks")
	l.at(usageChunk).Stop = 42 // the first record of the second chunk stops

	got := l.drain()
	assert.Equal(t, 0, l.Len(), "drain leaves the log empty")
	assert.Nil(t, l.chunks)
	require.Equal(t, n, got.Len())
	assert.Equal(t, des.Time(42), got.At(usageChunk).Stop)
	assert.Equal(t, des.Time(7), got.At(3).Stop, "a stop made before the first chunk moved is kept")
	assert.Equal(t, des.Time(usageChunk-1), got.At(usageChunk-1).Start)

	seen := 0
	for i, u := range got.All() {
		require.Equal(t, seen, i)
		require.Equal(t, des.Time(i), u.Start, "record %d in placement order", i)
		require.Equal(t, int32(i%7), u.Owner)
		seen++
	}
	assert.Equal(t, n, seen)

	// Stopping early ends the walk.
	k := 0
	for range got.All() {
		if k++; k == 5 {
			break
		}
	}
	assert.Equal(t, 5, k)

	var built TaskUsages // what a test or tool builds by hand
	built.Append(TaskUsage{Owner: 1})
	built.Append(TaskUsage{Owner: 2})
	require.Equal(t, 2, built.Len())
	assert.Equal(t, int32(2), built.At(1).Owner)
}
