package sweep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// interrupted runs shard s of the plan into dir through a journal, and
// cancels the sweep once stopAfter runs have finished (the runs in flight
// then finish too). It returns how many runs the journal holds.
func interrupted(t *testing.T, p *Plan, s Shard, dir string, workers, stopAfter int) int {
	t.Helper()
	m := p.Manifest
	m.Shard = s
	j, err := OpenJournal(dir, &m, false)
	require.NoError(t, err)
	defer j.Close()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	stop := errors.New("test: stop after k runs")
	n := len(j.Done())
	rows, err := ExecuteContext(ctx, p, Pending(p.RunsOf(s), j.Done()), Options{Workers: workers, OnRow: func(r Row) error {
		n++
		if n >= stopAfter {
			cancel(stop)
		}
		return j.Add(r)
	}, Flush: j.SyncSoon})
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, stop, "the cause is passed on")
	assert.Less(t, len(rows), len(p.RunsOf(s)), "some runs were not started")
	return n
}

// resume finishes the sweep in dir and returns how many runs it found done.
func resume(t *testing.T, p *Plan, s Shard, dir string, workers int) int {
	t.Helper()
	m := p.Manifest
	m.Shard = s
	j, err := OpenJournal(dir, &m, false)
	require.NoError(t, err)
	rows, err := Execute(p, Pending(p.RunsOf(s), j.Done()), Options{Workers: workers})
	require.NoError(t, err)
	_, err = j.Finish(rows)
	require.NoError(t, err)
	return len(j.Done())
}

// interruptPlan is smallPlan with twice the seeds, 12 runs (a shard of two,
// 6): enough that a sweep cancelled after k of them (k <= 3, at most two
// workers) cannot have finished them all. After the cancel, each worker
// may finish the run it is on and the collector may hold a finished row
// per worker (Execute's buffer): k + 2 x workers at most.
func interruptPlan(t *testing.T) *Plan {
	t.Helper()
	p, err := NewPlan(spec(t, "web-and-batch", 6, "services.web.desired_count=4,8"))
	require.NoError(t, err)
	return p
}

func TestAnInterruptedSweepResumesToTheBytesOfAnUninterruptedOne(t *testing.T) {
	p := interruptPlan(t)
	whole := sweepDir(t, p, Shard{0, 1}, 2)
	for _, workers := range []int{1, 2} {
		for _, k := range []int{1, 3} {
			t.Run(strings.Repeat("w", workers)+"/"+strings.Repeat("k", k), func(t *testing.T) {
				dir := filepath.Join(t.TempDir(), "out")
				done := interrupted(t, p, Shard{0, 1}, dir, workers, k)
				assert.GreaterOrEqual(t, done, k)
				_, err := os.Stat(filepath.Join(dir, ResultsFile))
				assert.True(t, os.IsNotExist(err), "an unfinished sweep writes no results.csv")

				assert.Equal(t, done, resume(t, p, Shard{0, 1}, dir, 2), "the finished runs are not done again")
				for _, f := range []string{ResultsFile, ReportFile, ManifestFile} {
					assert.Equal(t, readFile(t, whole, f), readFile(t, dir, f), f)
				}
				for _, f := range []string{PartialManifestFile, PartialRunsFile} {
					_, err := os.Stat(filepath.Join(dir, f))
					assert.True(t, os.IsNotExist(err), "%s is removed once the sweep is written", f)
				}
			})
		}
	}
}

func TestAnInterruptedShardResumesAndMerges(t *testing.T) {
	p := interruptPlan(t)
	whole := sweepDir(t, p, Shard{0, 1}, 2)
	a, b := filepath.Join(t.TempDir(), "a"), sweepDir(t, p, Shard{1, 2}, 1)
	done := interrupted(t, p, Shard{0, 2}, a, 1, 1)
	_, _, err := Merge([]string{a, b})
	assert.ErrorContains(t, err, fmt.Sprintf("a sweep under way or interrupted (%d run(s) finished)", done))
	resume(t, p, Shard{0, 2}, a, 1)
	m, rows, err := Merge([]string{a, b})
	require.NoError(t, err)
	merged := t.TempDir()
	require.NoError(t, Write(merged, m, rows))
	for _, f := range []string{ResultsFile, ReportFile, ManifestFile} {
		assert.Equal(t, readFile(t, whole, f), readFile(t, merged, f), f)
	}
}

func TestALineCutShortByACrashIsDoneAgain(t *testing.T) {
	p := interruptPlan(t)
	whole := sweepDir(t, p, Shard{0, 1}, 1)
	dir := t.TempDir()
	done := interrupted(t, p, Shard{0, 1}, dir, 1, 2)
	runs := filepath.Join(dir, PartialRunsFile)
	data, err := os.ReadFile(runs)
	require.NoError(t, err)
	lines := strings.SplitAfter(string(data), "\n")
	require.Equal(t, done+1, len(lines), "one line per finished run")
	torn := strings.Join(lines[:done-1], "") + lines[done-1][:len(lines[done-1])/2]
	require.NoError(t, os.WriteFile(runs, []byte(torn), 0o644))

	assert.Equal(t, done-1, resume(t, p, Shard{0, 1}, dir, 2), "the torn line is dropped")
	assert.Equal(t, readFile(t, whole, ResultsFile), readFile(t, dir, ResultsFile))
}

func TestAJournalThatIsNotThisSweepsIsRefusedUnlessRestarted(t *testing.T) {
	p := interruptPlan(t)
	other, err := NewPlan(spec(t, "web-and-batch", 6, "services.web.desired_count=4,6"))
	require.NoError(t, err)
	badLine := func(dir string) {
		runs := filepath.Join(dir, PartialRunsFile)
		data, err := os.ReadFile(runs)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(runs, append([]byte("[\"x\"]\n"), data...), 0o644))
	}
	tests := []struct {
		name   string
		m      func() Manifest
		damage func(dir string)
		want   string
	}{
		{"another sweep", func() Manifest { return other.Manifest }, nil, "axes"},
		{"another shard", func() Manifest { m := p.Manifest; m.Shard = Shard{1, 2}; return m }, nil, "shard 0/1 vs 1/2"},
		{"a bad line before good ones", func() Manifest { return p.Manifest }, badLine, "runs.partial.jsonl: line 1"},
		{"runs without their header", func() Manifest { return p.Manifest },
			func(dir string) { require.NoError(t, os.Remove(filepath.Join(dir, PartialManifestFile))) }, "whose sweep is it?"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			done := interrupted(t, p, Shard{0, 1}, dir, 1, 2)
			if tc.damage != nil {
				tc.damage(dir)
			}
			before, err := os.ReadFile(filepath.Join(dir, PartialRunsFile))
			require.NoError(t, err)
			m := tc.m()
			_, err = OpenJournal(dir, &m, false)
			var re *ResumeError
			require.ErrorAs(t, err, &re)
			assert.Contains(t, err.Error(), tc.want)
			if tc.damage == nil {
				assert.Contains(t, err.Error(), fmt.Sprintf("with %d finished run(s)", done))
			}
			after, err := os.ReadFile(filepath.Join(dir, PartialRunsFile))
			require.NoError(t, err)
			assert.Equal(t, before, after, "a refused folder is left as it was")

			j, err := OpenJournal(dir, &m, true)
			require.NoError(t, err, "--restart discards the unfinished sweep")
			assert.Empty(t, j.Done())
			require.NoError(t, j.Close())
			after, err = os.ReadFile(filepath.Join(dir, PartialRunsFile))
			require.NoError(t, err)
			assert.Empty(t, after)
		})
	}
}

func TestAFailedRunStopsTheSweepButKeepsTheFinishedOnes(t *testing.T) {
	p := smallPlan(t)
	refused := errors.New("disk full")
	n := 0
	_, err := Execute(p, p.Runs, Options{Workers: 1, OnRow: func(Row) error {
		n++
		if n == 2 {
			return refused
		}
		return nil
	}})
	assert.ErrorIs(t, err, refused, "a journal that cannot be written stops the sweep")
	assert.Less(t, n, len(p.Runs))
}

// The rows OnRow is given are flushed (the journal's fsync) before Execute
// returns, at most once per row and never twice without a row between:
// the rows that finish together share one Flush.
func TestEveryRowIsFlushedOnceTheRowsBeforeItAre(t *testing.T) {
	p := smallPlan(t)
	for _, workers := range []int{1, 2} {
		var calls []string
		rows, err := Execute(p, p.Runs, Options{Workers: workers,
			OnRow: func(Row) error { calls = append(calls, "row"); return nil },
			Flush: func() error { calls = append(calls, "flush"); return nil }})
		require.NoError(t, err)
		require.Len(t, rows, len(p.Runs))
		require.NotEmpty(t, calls)
		assert.Equal(t, "row", calls[0], "-j %d: nothing to flush before the first row", workers)
		assert.Equal(t, "flush", calls[len(calls)-1], "-j %d: the last rows are flushed before Execute returns", workers)
		for i := 1; i < len(calls); i++ {
			assert.False(t, calls[i] == "flush" && calls[i-1] == "flush", "-j %d: a Flush with no row since the last: %v", workers, calls)
		}
	}
}

func TestAFailedFlushStopsTheSweep(t *testing.T) {
	p := smallPlan(t) // 6 runs
	refused := errors.New("fsync: input/output error")
	flushes, n := 0, 0
	_, err := Execute(p, p.Runs, Options{Workers: 1,
		OnRow: func(Row) error { n++; return nil },
		Flush: func() error {
			if flushes++; flushes == 2 {
				return refused
			}
			return nil
		}})
	assert.ErrorIs(t, err, refused, "a journal that cannot be synced stops the sweep")
	assert.Less(t, n, len(p.Runs))
}

// A line added without a Sync is in the file at once (a Ctrl-C or a crash
// of the process keeps it), and Close syncs it: the folder resumes with it.
func TestAnAddedRowIsKeptWithoutASync(t *testing.T) {
	p := smallPlan(t)
	rows, err := Execute(p, p.Runs[:2], Options{Workers: 1})
	require.NoError(t, err)
	dir := t.TempDir()
	m := p.Manifest
	m.Shard = Shard{0, 1}
	j, err := OpenJournal(dir, &m, false)
	require.NoError(t, err)
	for _, r := range rows {
		require.NoError(t, j.Add(r))
	}
	data, err := os.ReadFile(filepath.Join(dir, PartialRunsFile))
	require.NoError(t, err)
	assert.Equal(t, 2, strings.Count(string(data), "\n"), "each Add is written at once")
	require.NoError(t, j.Close())
	again, err := OpenJournal(dir, &m, false)
	require.NoError(t, err)
	defer again.Close()
	assert.Equal(t, rows, again.Done())
}

// The journal's fsyncs run in the background (SyncSoon, as the CLI's
// Flush); one that fails stops the sweep: the next Add or SyncSoon, or at
// the latest Close, returns its error, naming the file. A pipe takes the
// lines but cannot be synced.
func TestAFailedBackgroundSyncStopsTheSweep(t *testing.T) {
	p := smallPlan(t)
	m := p.Manifest
	m.Shard = Shard{0, 1}
	j, err := OpenJournal(t.TempDir(), &m, false)
	require.NoError(t, err)
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	go func() { _, _ = io.Copy(io.Discard, r) }()
	require.NoError(t, j.f.Close())
	j.f = w
	_, err = Execute(p, p.Runs, Options{Workers: 1, OnRow: j.Add, Flush: j.SyncSoon})
	err = errors.Join(err, j.Close())
	require.Error(t, err)
	assert.ErrorContains(t, err, PartialRunsFile)
	assert.ErrorContains(t, err, "invalid argument", "fsync(2) of a pipe: EINVAL")
}

// Sync waits for a background sync under way and syncs what came since:
// after it nothing is left unsynced and no sync is under way.
func TestSyncWaitsForTheBackgroundSync(t *testing.T) {
	p := smallPlan(t)
	rows, err := Execute(p, p.Runs[:2], Options{Workers: 1})
	require.NoError(t, err)
	m := p.Manifest
	m.Shard = Shard{0, 1}
	j, err := OpenJournal(t.TempDir(), &m, false)
	require.NoError(t, err)
	defer j.Close()
	require.NoError(t, j.Add(rows[0]))
	require.NoError(t, j.SyncSoon())
	require.NoError(t, j.Add(rows[1]))
	require.NoError(t, j.Sync())
	j.mu.Lock()
	defer j.mu.Unlock()
	assert.False(t, j.syncing, "no sync under way")
	assert.False(t, j.unsynced, "every line synced")
}

// Background syncs start at least syncGap apart: lines added just after a
// sync are not synced at once but by one sync at the end of the gap, with
// no further call; Close stops that pending sync and syncs them itself.
func TestBackgroundSyncsAreAGapApart(t *testing.T) {
	p := smallPlan(t)
	rows, err := Execute(p, p.Runs[:3], Options{Workers: 1})
	require.NoError(t, err)
	m := p.Manifest
	m.Shard = Shard{0, 1}
	j, err := OpenJournal(t.TempDir(), &m, false)
	require.NoError(t, err)
	state := func() (unsynced, pending bool, began time.Time) {
		j.mu.Lock()
		defer j.mu.Unlock()
		return j.unsynced, j.later != nil, j.synced
	}

	require.NoError(t, j.Add(rows[0]))
	require.NoError(t, j.SyncSoon())
	_, _, first := state()
	require.False(t, first.IsZero(), "the first sync starts at once")
	j.mu.Lock()
	for j.syncing {
		j.idle.Wait()
	}
	j.mu.Unlock()
	require.NoError(t, j.Add(rows[1]))
	require.NoError(t, j.SyncSoon())
	_, pending, began := state()
	assert.True(t, pending, "a sync within the gap is put off to its end")
	assert.Equal(t, first, began, "and none starts now")
	require.Eventually(t, func() bool {
		unsynced, pending, _ := state()
		return !unsynced && !pending
	}, 10*time.Second, 5*time.Millisecond, "the put-off sync takes the line without another call")
	_, _, second := state()
	assert.GreaterOrEqual(t, second.Sub(first), syncGap)

	require.NoError(t, j.Add(rows[2]))
	require.NoError(t, j.SyncSoon()) // within the gap again
	require.NoError(t, j.Close())
	unsynced, pending, _ := state()
	assert.False(t, unsynced, "Close syncs what the put-off sync would have")
	assert.False(t, pending, "Close stops the put-off sync")
}
