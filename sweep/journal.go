package sweep

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fleetsim/fleetsim/report"
)

// The files of a sweep under way. They sit beside the final files and are
// removed once those are written.
const (
	PartialManifestFile = "sweep.partial.json" // what the sweep under way is, written before its first run
	PartialRunsFile     = "runs.partial.jsonl" // one line per finished run, appended as each finishes
)

// Journal records a sweep's finished runs in its output folder as they
// finish, so that a sweep stopped by Ctrl-C, a crash or a lost machine loses
// at most its runs in flight, and the same command run again does only the
// runs that are missing.
//
// runs.partial.jsonl holds one line per finished run: the run's results.csv
// record as a JSON array of strings (JSON, so that a line is a line whatever
// the values hold). Each line goes down in one write; the lines are
// fsynced in the background, one fsync for those that came while the last
// was under way and at most one every syncGap (Add, SyncSoon).
// A last line cut short by a crash, or not a whole record, is dropped (its
// run is done again); a bad line before good ones means the file is not
// ours, and OpenJournal refuses it. sweep.partial.json holds the manifest
// (with the shard) and the fleetsim build, written atomically before the
// first run: a folder is resumed only by the same sweep from the same build.
type Journal struct {
	dir  string
	m    *Manifest
	f    *os.File
	done []Row

	// The fsync of the lines added, on a goroutine of its own (SyncSoon),
	// so that a disk slow to sync holds up no run.
	mu       sync.Mutex
	idle     sync.Cond   // signalled when a background sync ends
	unsynced bool        // lines written since the last fsync began
	syncing  bool        // a background sync is under way
	syncErr  error       // the first failed fsync's
	synced   time.Time   // when the last background sync began
	later    *time.Timer // the sync due at the end of syncGap, if any
	closing  bool        // Close has begun: no further background sync
}

// syncGap is the least time between the starts of two background syncs. A
// sweep of small runs finishes one every few milliseconds: syncing each
// batch cost an fsync every two runs, a tenth of the process's CPU beside
// its workers (the kernel's part of fsync included). Rows written since the
// last sync are in the file all the same (a crash of the process keeps
// them); a crash of the machine loses at most the rows of the last gap,
// and Sync (Close, Finish) syncs whatever is left.
const syncGap = 200 * time.Millisecond

// journalHeader is sweep.partial.json.
type journalHeader struct {
	// Build identifies the fleetsim that ran the runs: Go version, module
	// version and VCS revision. Runs of another build may differ in their
	// results, so they are not resumed.
	Build    string   `json:"build"`
	Manifest Manifest `json:"manifest"`
}

// ResumeError says why a folder's unfinished sweep cannot be resumed by
// this one: it is another sweep's, or its files are damaged. Nothing was
// changed in the folder.
type ResumeError struct {
	Dir    string
	Reason string
	Done   int // finished runs the folder holds, when they could be read
}

func (e *ResumeError) Error() string {
	held := "an unfinished sweep"
	if e.Done > 0 {
		held = fmt.Sprintf("an unfinished sweep with %d finished run(s)", e.Done)
	}
	return fmt.Sprintf("%s holds %s that this command cannot resume: %s", e.Dir, held, e.Reason)
}

// OpenJournal opens dir's journal for the sweep m describes (m.Shard is the
// shard run). A folder without one gets a new one. A folder with one of
// the same sweep and build is resumed: Done returns its finished runs. One of
// another sweep is refused with a *ResumeError, unless restart, which removes
// it first and starts afresh. The final files of an earlier sweep in dir are
// left alone (the finished sweep overwrites them).
func OpenJournal(dir string, m *Manifest, restart bool) (*Journal, error) {
	j := &Journal{dir: dir, m: m}
	j.idle.L = &j.mu
	headPath, runsPath := filepath.Join(dir, PartialManifestFile), filepath.Join(dir, PartialRunsFile)
	if restart {
		if err := removePartial(dir); err != nil {
			return nil, err
		}
	}
	head, err := os.ReadFile(headPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, err := os.Stat(runsPath); err == nil {
			return nil, &ResumeError{Dir: dir, Reason: PartialRunsFile + " without " + PartialManifestFile + " (whose sweep is it?)"}
		}
		return j, j.create()
	case err != nil:
		return nil, err
	}
	var h journalHeader
	if err := json.Unmarshal(head, &h); err != nil {
		return nil, &ResumeError{Dir: dir, Reason: fmt.Sprintf("%s: %v", PartialManifestFile, err)}
	}
	data, err := os.ReadFile(runsPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if diff := journalDiff(&h, m); diff != "" {
		return nil, &ResumeError{Dir: dir, Reason: "it is another sweep (the folder's vs this command's): " + diff, Done: bytes.Count(data, []byte("\n"))}
	}
	rows, keep, err := readJournal(data, m)
	if err != nil {
		return nil, &ResumeError{Dir: dir, Reason: fmt.Sprintf("%s: %v", PartialRunsFile, err)}
	}
	j.done = rows
	f, err := os.OpenFile(runsPath, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := f.Truncate(int64(keep)); err != nil { // a torn last line goes
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(int64(keep), 0); err != nil {
		f.Close()
		return nil, err
	}
	j.f = f
	return j, nil
}

// create starts a journal: the header, then an empty runs file.
func (j *Journal) create() error {
	if err := os.MkdirAll(j.dir, 0o755); err != nil {
		return err
	}
	h := journalHeader{Build: buildID(), Manifest: *j.m}
	err := report.WriteFile(filepath.Join(j.dir, PartialManifestFile), func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(h)
	})
	if err != nil {
		return err
	}
	j.f, err = os.OpenFile(filepath.Join(j.dir, PartialRunsFile), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	return err
}

// journalDiff explains how the journal's sweep differs from m; "" when it
// is the same sweep, shard and build.
func journalDiff(h *journalHeader, m *Manifest) string {
	var diffs []string
	if d := h.Manifest.sameSweep(m); d != "" {
		diffs = append(diffs, d)
	}
	if h.Manifest.Shard != m.Shard {
		diffs = append(diffs, fmt.Sprintf("shard %s vs %s", h.Manifest.Shard, m.Shard))
	}
	if b := buildID(); h.Build != b {
		diffs = append(diffs, fmt.Sprintf("fleetsim build %q vs %q", h.Build, b))
	}
	return strings.Join(diffs, "; ")
}

// readJournal reads the runs file: the rows and the length of the data that
// holds them. A last line that is cut short or not a row is dropped.
func readJournal(data []byte, m *Manifest) ([]Row, int, error) {
	var rows []Row
	seen := map[int]bool{}
	keep := 0
	for n := 1; keep < len(data); n++ {
		end := bytes.IndexByte(data[keep:], '\n')
		if end < 0 {
			break // cut short by a crash
		}
		row, err := journalRow(data[keep:keep+end], m)
		if err == nil && seen[row.Run.Index] {
			err = fmt.Errorf("run %d appears twice", row.Run.Index)
		}
		if err != nil {
			if keep+end+1 == len(data) {
				break // the last line: written when the machine stopped
			}
			return nil, 0, fmt.Errorf("line %d: %w", n, err)
		}
		seen[row.Run.Index] = true
		rows = append(rows, row)
		keep += end + 1
	}
	slices.SortFunc(rows, func(a, b Row) int { return a.Run.Index - b.Run.Index })
	return rows, keep, nil
}

func journalRow(line []byte, m *Manifest) (Row, error) {
	var rec []string
	if err := json.Unmarshal(line, &rec); err != nil {
		return Row{}, err
	}
	if len(rec) != len(m.Columns) {
		return Row{}, fmt.Errorf("%d fields, want %d", len(rec), len(m.Columns))
	}
	row, err := parseRow(rec, m)
	if err != nil {
		return Row{}, err
	}
	if !m.Shard.Owns(row.Run.Index) {
		return Row{}, fmt.Errorf("run %d does not belong to shard %s", row.Run.Index, m.Shard)
	}
	return row, nil
}

// Done returns the finished runs the journal held when it was opened, in
// run order.
func (j *Journal) Done() []Row { return j.done }

// Pending returns the runs that are not in done, in order.
func Pending(runs []Run, done []Row) []Run {
	have := make(map[int]bool, len(done))
	for _, r := range done {
		have[r.Run.Index] = true
	}
	var out []Run
	for _, r := range runs {
		if !have[r.Index] {
			out = append(out, r)
		}
	}
	return out
}

// Append records a finished run: one line, written at once and synced.
func (j *Journal) Append(r Row) error {
	if err := j.Add(r); err != nil {
		return err
	}
	return j.Sync()
}

// Add writes a finished run's line at once, in one write, without an
// fsync: the line survives the process (Ctrl-C, a crash) from then on, and
// the machine once synced. A sweep adds each row as it finishes and has
// the lines synced in the background (SyncSoon, Options.Flush): one fsync
// covers the rows that came while the previous one was under way, and a
// slow disk holds up no run. It returns a failed background sync's error.
func (j *Journal) Add(r Row) error {
	if err := j.failed(); err != nil {
		return err
	}
	line, err := json.Marshal(record(j.m, r))
	if err != nil {
		return err
	}
	if _, err := j.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(j.dir, PartialRunsFile), err)
	}
	j.mu.Lock()
	j.unsynced = true
	j.mu.Unlock()
	return nil
}

func (j *Journal) failed() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.syncErr
}

// SyncSoon starts an fsync of the lines added so far on a goroutine of its
// own and returns at once. Within syncGap of the last sync's start, or while
// one is under way, it leaves the lines to one sync at the end of the gap.
// It returns a failed sync's error.
func (j *Journal) SyncSoon() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.syncSoonLocked()
}

func (j *Journal) syncSoonLocked() error {
	if j.closing || j.syncErr != nil || j.syncing || !j.unsynced || j.f == nil {
		return j.syncErr
	}
	if wait := syncGap - time.Since(j.synced); wait > 0 {
		// Too soon after the last: one sync at the end of the gap takes
		// these lines and any that come before it.
		if j.later == nil {
			j.later = time.AfterFunc(wait, func() {
				j.mu.Lock()
				defer j.mu.Unlock()
				j.later = nil
				_ = j.syncSoonLocked() // a failure is the next Add's, SyncSoon's or Close's error
			})
		}
		return nil
	}
	j.synced = time.Now()
	j.syncing = true
	go j.syncInBackground()
	return nil
}

func (j *Journal) syncInBackground() {
	j.mu.Lock()
	j.unsynced = false
	j.mu.Unlock()
	err := j.f.Sync()
	j.mu.Lock()
	if err != nil {
		j.syncErr = fmt.Errorf("%s: %w", filepath.Join(j.dir, PartialRunsFile), err)
	}
	j.syncing = false
	j.idle.Broadcast()
	_ = j.syncSoonLocked() // lines added meanwhile: synced at the end of the gap
	j.mu.Unlock()
}

// Sync waits for a background sync under way, then fsyncs the lines added
// since, if any, and returns a failed sync's error.
func (j *Journal) Sync() error {
	j.mu.Lock()
	for j.syncing {
		j.idle.Wait()
	}
	err, unsynced := j.syncErr, j.unsynced
	j.unsynced = false
	j.mu.Unlock()
	if err != nil || !unsynced || j.f == nil {
		return err
	}
	if err := j.f.Sync(); err != nil {
		err = fmt.Errorf("%s: %w", filepath.Join(j.dir, PartialRunsFile), err)
		j.mu.Lock()
		j.syncErr = err
		j.mu.Unlock()
		return err
	}
	return nil
}

// Close syncs and closes the runs file, leaving the journal in place to
// resume from.
func (j *Journal) Close() error {
	if j.f == nil {
		return nil
	}
	j.mu.Lock()
	j.closing = true
	if j.later != nil {
		j.later.Stop()
		j.later = nil
	}
	j.mu.Unlock()
	err := errors.Join(j.Sync(), j.f.Close())
	j.f = nil
	return err
}

// Finish joins the journal's earlier runs and rows (the runs done now),
// checks that they are every run of the shard, writes the folder (Write)
// and then removes the journal. It returns all the rows in run order: the
// same rows, so the same bytes, as one uninterrupted sweep's.
func (j *Journal) Finish(rows []Row) ([]Row, error) {
	all := append(slices.Clone(j.done), rows...)
	slices.SortFunc(all, func(a, b Row) int { return a.Run.Index - b.Run.Index })
	want := j.m.Shard.Index
	for _, r := range all {
		if r.Run.Index != want {
			return nil, fmt.Errorf("sweep: run %d of shard %s is missing or twice", want, j.m.Shard)
		}
		want += j.m.Shard.Count
	}
	if want < j.m.Runs {
		return nil, fmt.Errorf("sweep: run %d of shard %s is missing", want, j.m.Shard)
	}
	if err := j.Close(); err != nil {
		return nil, err
	}
	if err := Write(j.dir, j.m, all); err != nil {
		return nil, err
	}
	return all, removePartial(j.dir)
}

// removePartial removes a folder's journal, if any: the runs first, so
// that a crash half-way leaves the header alone, which resumes as a
// journal with no runs.
func removePartial(dir string) error {
	for _, f := range []string{PartialRunsFile, PartialManifestFile} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// HasJournal reports whether dir holds an unfinished sweep, and how many
// runs it has finished.
func HasJournal(dir string) (bool, int) {
	if _, err := os.Stat(filepath.Join(dir, PartialManifestFile)); err != nil {
		return false, 0
	}
	data, _ := os.ReadFile(filepath.Join(dir, PartialRunsFile))
	return true, bytes.Count(data, []byte("\n"))
}

// buildID identifies this fleetsim build: Go version, main module version,
// VCS revision (and "+dirty" for a modified tree), as the binary records
// them. Within one build (and one test binary) it is constant.
func buildID() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	id := bi.GoVersion + " " + bi.Main.Version
	if rev := VCSRevision(bi); rev != "" {
		id += " " + rev
	}
	return id
}

// VCSRevision is the VCS revision the build recorded, with "+dirty" for a
// modified tree, or "" when it recorded none.
func VCSRevision(bi *debug.BuildInfo) string {
	var rev string
	var dirty bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty, _ = strconv.ParseBool(s.Value)
		}
	}
	if rev != "" && dirty {
		rev += "+dirty"
	}
	return rev
}
