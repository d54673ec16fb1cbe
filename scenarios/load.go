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
	"strconv"
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
// (task definition JSON) are resolved relative to its directory.
func LoadFile(name string) (*Scenario, error) {
	dir, base := filepath.Split(name)
	if dir == "" {
		dir = "."
	}
	return Load(os.DirFS(dir), base, name)
}

// Load reads the scenario at file in fsys; display is the name used in
// messages. The error, if any, is a Problems list.
func Load(fsys fs.FS, file, display string) (*Scenario, error) {
	src, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, Problems{{File: display, Got: "cannot read: " + unwrapPathError(err)}}
	}
	return Parse(string(src), display, func(rel string) ([]byte, error) {
		return fs.ReadFile(fsys, path.Join(path.Dir(file), rel))
	})
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
	var f fileSchema
	md, err := toml.Decode(src, &f)
	if err != nil {
		return nil, Problems{decodeProblem(display, err)}
	}
	loc := newLocator(src)
	v := &validator{file: display, loc: loc, f: &f, readRel: readRel}
	v.unknownKeys(md.Undecoded())
	v.checkValues()
	cfg := v.build()
	v.dropRepeats()
	if len(v.problems) > 0 {
		slices.SortStableFunc(v.problems, func(a, b Problem) int { return a.Line - b.Line })
		return nil, v.problems
	}
	slices.SortStableFunc(v.warnings, func(a, b Problem) int { return a.Line - b.Line })
	return &Scenario{Config: cfg, File: display, Source: src, Outputs: f.Report.Outputs, Warnings: v.warnings}, nil
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

// unknownKeys reports every key the schema does not have, with a "did you
// mean" hint from the keys allowed at that place.
func (v *validator) unknownKeys(keys []toml.Key) {
	if len(keys) == 0 {
		return
	}
	// Every located path in file order (the path itself breaks ties of one
	// line, so that the order never depends on map iteration), sorted once.
	located := make([]string, 0, len(v.loc.lines))
	for p := range v.loc.lines {
		located = append(located, p)
	}
	slices.SortFunc(located, func(a, b string) int {
		if d := v.loc.lines[a] - v.loc.lines[b]; d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	used := map[string]bool{}
	for _, k := range keys {
		line, indexed := v.locateUnindexed(k, located, used)
		allowed := allowedKeys(reflect.TypeOf(fileSchema{}), k[:len(k)-1])
		p := Problem{File: v.file, Line: line, Key: v.display(indexed), Got: "unknown key"}
		if s := closest(k[len(k)-1], allowed); s != "" {
			p.Hint = fmt.Sprintf("did you mean %q?", s)
		}
		v.problems = append(v.problems, p)
	}
}

// locateUnindexed finds the first located occurrence of key k (a path without
// array indexes) not reported yet, and returns its line and indexed path.
func (v *validator) locateUnindexed(k toml.Key, keys []string, used map[string]bool) (int, []string) {
	want := strings.Join(k, ".")
	for _, p := range keys {
		if used[p] || stripIndexes(p) != want {
			continue
		}
		used[p] = true
		return v.loc.lines[p], strings.Split(p, ".")
	}
	// Inside an inline table: the nearest located parent, with the rest of
	// the key after it.
	for n := len(k) - 1; n > 0; n-- {
		prefix := strings.Join(k[:n], ".")
		for _, p := range keys {
			if stripIndexes(p) == prefix {
				return v.loc.lines[p], append(strings.Split(p, "."), k[n:]...)
			}
		}
	}
	return 0, k
}

func stripIndexes(p string) string {
	segs := strings.Split(p, ".")
	out := segs[:0]
	for _, s := range segs {
		if _, err := strconv.Atoi(s); err != nil {
			out = append(out, s)
		}
	}
	return strings.Join(out, ".")
}

// allowedKeys lists the toml keys of the struct reached by following path
// from t (slices and pointers are looked through).
func allowedKeys(t reflect.Type, path []string) []string {
	for _, seg := range path {
		t = elem(t)
		if t.Kind() != reflect.Struct {
			return nil
		}
		f, ok := fieldByTag(t, seg)
		if !ok {
			return nil
		}
		t = f.Type
	}
	t = elem(t)
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for i := range t.NumField() {
		if tag := t.Field(i).Tag.Get("toml"); tag != "" {
			out = append(out, tag)
		}
	}
	return out
}

func elem(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	return t
}

func fieldByTag(t reflect.Type, tag string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if t.Field(i).Tag.Get("toml") == tag {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
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
