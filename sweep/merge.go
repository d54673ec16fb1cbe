package sweep

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Merge reads shard folders of one sweep and joins their rows into the
// whole sweep's: the manifest (as shard 0/1) and every row in run order,
// which Write turns into the same bytes an unsharded run writes. It refuses
// folders of different sweeps, shards given twice, missing shards, and
// shards whose rows are not exactly the runs the shard owns, and folders
// whose sweep has not finished (a journal is there).
func Merge(dirs []string) (*Manifest, []Row, error) {
	if len(dirs) == 0 {
		return nil, nil, fmt.Errorf("merge: name at least one sweep folder")
	}
	var first *Manifest
	byShard := map[int]string{}
	var all []Row
	for _, dir := range dirs {
		if ok, n := HasJournal(dir); ok { // its results.csv, if any, is an earlier sweep's
			return nil, nil, fmt.Errorf("merge: %s: a sweep under way or interrupted (%d run(s) finished); run its command again to finish it", dir, n)
		}
		m, err := ReadManifest(dir)
		if err != nil {
			return nil, nil, err
		}
		if first == nil {
			first = m
		} else if diff := first.sameSweep(m); diff != "" {
			return nil, nil, fmt.Errorf("merge: %s and %s come from different sweeps: %s", dirs[0], dir, diff)
		}
		if prev, dup := byShard[m.Shard.Index]; dup {
			return nil, nil, fmt.Errorf("merge: %s and %s are both shard %s", prev, dir, m.Shard)
		}
		byShard[m.Shard.Index] = dir
		rows, err := readShardRows(dir, m)
		if err != nil {
			return nil, nil, err
		}
		all = append(all, rows...)
	}
	if missing := missingShards(byShard, first.Shard.Count); len(missing) > 0 {
		return nil, nil, fmt.Errorf("merge: shard(s) %s of %d missing", strings.Join(missing, ", "), first.Shard.Count)
	}
	slices.SortFunc(all, func(a, b Row) int { return a.Run.Index - b.Run.Index })
	whole := *first
	whole.Shard = Shard{Index: 0, Count: 1}
	return &whole, all, nil
}

// readShardRows reads a shard's results.csv and checks it holds exactly the
// runs the shard owns, each once.
func readShardRows(dir string, m *Manifest) ([]Row, error) {
	name := filepath.Join(dir, ResultsFile)
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	defer f.Close()
	rows, err := ReadResults(f, m, name)
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	seen := map[int]bool{}
	for _, r := range rows {
		if !m.Shard.Owns(r.Run.Index) {
			return nil, fmt.Errorf("merge: %s: run %d does not belong to shard %s", name, r.Run.Index, m.Shard)
		}
		if seen[r.Run.Index] {
			return nil, fmt.Errorf("merge: %s: run %d appears twice", name, r.Run.Index)
		}
		seen[r.Run.Index] = true
	}
	var missing []string
	for i := m.Shard.Index; i < m.Runs; i += m.Shard.Count {
		if !seen[i] {
			missing = append(missing, strconv.Itoa(i))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("merge: %s: shard %s lacks run(s) %s (an unfinished shard?)", name, m.Shard, strings.Join(missing, ", "))
	}
	return rows, nil
}

func missingShards(have map[int]string, n int) []string {
	var out []string
	for i := range n {
		if _, ok := have[i]; !ok {
			out = append(out, strconv.Itoa(i))
		}
	}
	return out
}
