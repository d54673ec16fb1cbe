package sweep

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
		return j.Append(r)
	}})
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

func TestAnInterruptedSweepResumesToTheBytesOfAnUninterruptedOne(t *testing.T) {
	p := smallPlan(t) // 6 runs
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
	p := smallPlan(t)
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
	p := smallPlan(t)
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
	p := smallPlan(t)
	other, err := NewPlan(spec(t, "web-and-batch", 3, "services.web.desired_count=4,6"))
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
