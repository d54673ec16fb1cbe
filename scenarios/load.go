// Package scenarios reads fleetsim scenario files (TOML in the shape of AWS's
// own field names) into a validated sim.Config, and ships a library of
// scenarios embedded in the binary. Bad input is rejected before any run with
// every problem listed, each with its file, line, key, what was expected and
// what was found.
package scenarios

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
)

// Scenario is a loaded scenario: the validated configuration and the text it
// came from (the report echoes it).
type Scenario struct {
	Config  *sim.Config
	File    string // as the user named it, for messages
	Source  string
	Outputs []string // [report] outputs: "csv", "json", "html"; empty: all
	// Warnings are what the scenario may do but the user should know (the
	// run goes ahead): each in the problem form, file, line and key.
	Warnings Problems
}

// LoadFile reads a scenario from the file system. Files it references
// (task definition JSON, traces) are resolved relative to its directory;
// ".." and absolute paths are allowed (FileReader).
func LoadFile(name string) (*Scenario, error) {
	src, err := os.ReadFile(name)
	if err != nil {
		return nil, Problems{{File: name, Got: "cannot read: " + unwrapPathError(err)}}
	}
	return Parse(string(src), name, FileReader(name))
}

// FileReader reads the files a scenario file refers to: a relative path
// (slash-separated, ".." allowed) from the scenario's directory, an absolute
// path as it is. Each is a regular file of at most maxReferencedBytes.
func FileReader(scenario string) func(string) ([]byte, error) {
	dir := filepath.Dir(scenario)
	return func(rel string) ([]byte, error) {
		name := filepath.FromSlash(rel)
		if !filepath.IsAbs(name) {
			name = filepath.Join(dir, name)
		}
		return readReferenced(osFS{}, name)
	}
}

// osFS is the operating system's files under their own names, absolute or
// relative to the working directory (os.DirFS takes neither "..", nor an
// absolute path).
type osFS struct{}

func (osFS) Open(name string) (fs.File, error) { return os.Open(name) }

// errOutsideLibrary is a library scenario's reference out of the library.
var errOutsideLibrary = errors.New("outside the library")

// Load reads the scenario at file in fsys (the embedded library); display is
// the name used in messages. The files it refers to must be inside fsys: a
// relative path without "..". The error, if any, is a Problems list.
func Load(fsys fs.FS, file, display string) (*Scenario, error) {
	src, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, Problems{{File: display, Got: "cannot read: " + unwrapPathError(err)}}
	}
	return Parse(string(src), display, FSReader(fsys, file))
}

// FSReader reads the files the scenario at file in fsys refers to, relative
// to it and inside fsys.
func FSReader(fsys fs.FS, file string) func(string) ([]byte, error) {
	return func(rel string) ([]byte, error) {
		name := path.Join(path.Dir(file), rel)
		if path.IsAbs(rel) || !fs.ValidPath(name) {
			return nil, errOutsideLibrary
		}
		return readReferenced(fsys, name)
	}
}

// maxReferencedBytes bounds a file a scenario refers to (a trace, a task
// definition): it is read whole before it is parsed. The largest shipped,
// the NASA HTTP trace, is under 1 MiB compressed.
const maxReferencedBytes = 256 << 20

// readReferenced reads a regular file of at most maxReferencedBytes: not a
// device or a pipe (a symbolic link to /dev/zero would never end), nor a
// file too large to read whole.
func readReferenced(fsys fs.FS, name string) ([]byte, error) {
	var st fs.FileInfo
	var err error
	if _, ok := fsys.(osFS); ok {
		st, err = os.Stat(name)
	} else {
		st, err = fs.Stat(fsys, name)
	}
	if err != nil {
		return nil, err
	}
	switch {
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("not a regular file (%s)", st.Mode().Type())
	case st.Size() > maxReferencedBytes:
		return nil, fmt.Errorf("%d MiB, more than the %d MiB a referenced file may hold", st.Size()>>20, maxReferencedBytes>>20)
	}
	if _, ok := fsys.(osFS); ok {
		return os.ReadFile(name)
	}
	return fs.ReadFile(fsys, name)
}

// readFile reads a file the scenario names at fp (relative to the
// scenario's folder, or absolute), reporting an unreadable file, one too
// large, or a library scenario's reference out of the library as fp's
// problem.
func (v *validator) readFile(fp []string, rel, what string) ([]byte, bool) {
	if rel == "" || strings.ContainsRune(rel, 0) {
		v.bad(fp, "a path to a "+what, quoteShort(rel))
		return nil, false
	}
	data, err := v.readRel(rel)
	if errors.Is(err, errOutsideLibrary) {
		v.bad(fp, "a file inside the library (a library scenario refers to files beside it: a relative path without ..)", quoteShort(rel))
		return nil, false
	}
	if err != nil {
		v.bad(fp, "a readable "+what, fmt.Sprintf("%s: %v", quoteShort(rel), unwrapPathError(err)))
		return nil, false
	}
	if len(data) > maxReferencedBytes {
		v.bad(fp, fmt.Sprintf("a %s of at most %d MiB", what, maxReferencedBytes>>20), fmt.Sprintf("%s: %d MiB", quoteShort(rel), len(data)>>20))
		return nil, false
	}
	return data, true
}

func unwrapPathError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Parse validates a scenario's text. readRel reads files the scenario refers
// to, relative to it.
func Parse(src, display string, readRel func(string) ([]byte, error)) (*Scenario, error) {
	var tree map[string]any
	if _, err := toml.Decode(src, &tree); err != nil {
		return nil, Problems{decodeProblem(display, err)}
	}
	var f fileSchema
	dec := &treeDecoder{tag: "toml"}
	dec.decodeStruct(nil, tree, reflect.ValueOf(&f).Elem())
	v := &validator{file: display, loc: newLocator(src), f: &f, readRel: readRel}
	for _, tp := range dec.problems {
		v.badValue(tp.path, tp.want, tp.got, tp.hint)
	}
	v.checkValues()
	cfg := v.build()
	v.dropRepeats()
	v.keepBounds()
	if len(v.problems) == 0 {
		v.checkEstimate(cfg)
	}
	if len(v.problems) > 0 {
		slices.SortStableFunc(v.problems, problemOrder(display))
		return nil, v.problems
	}
	slices.SortStableFunc(v.warnings, problemOrder(display))
	return &Scenario{Config: cfg, File: display, Source: src, Outputs: f.Report.Outputs, Warnings: v.warnings}, nil
}

// problemOrder puts the scenario's own problems in line order and those of
// the files it refers to (task definition JSON) after them, each file in
// line order: a cause in the scenario reads before what follows from it.
func problemOrder(scenario string) func(a, b Problem) int {
	return func(a, b Problem) int {
		if a.File != b.File {
			switch {
			case a.File == scenario:
				return -1
			case b.File == scenario:
				return 1
			}
			return strings.Compare(a.File, b.File)
		}
		return a.Line - b.Line
	}
}

func decodeProblem(file string, err error) Problem {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		p := Problem{File: file, Line: pe.Position.Line, Want: "valid TOML", Got: pe.Message}
		if pe.LastKey != "" {
			p.Key = pe.LastKey
			p.Want = ""
		}
		return p
	}
	return Problem{File: file, Got: err.Error()}
}

// closest returns the allowed key nearest to k by edit distance, if near.
func closest(k string, allowed []string) string {
	best, bestD := "", len(k)/2+2
	for _, a := range allowed {
		if d := catalog.EditDistance(k, a); d < bestD {
			best, bestD = a, d
		}
	}
	return best
}
