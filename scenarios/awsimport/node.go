package awsimport

import (
	"fmt"
	"math"
	"strconv"

	"github.com/fleetsim/fleetsim/scenarios"
)

// Problem and Problems are the scenario loader's: file, line, key, what was
// expected and what was found. A warning is a Problem too, printed as
// "fleetsim: warning: ...".
type (
	Problem  = scenarios.Problem
	Problems = scenarios.Problems
)

// Unmapped is a field of the input that is not in the scenario: State is
// what AWS reports about a running resource (ARNs, counts, timestamps,
// events), not configuration; the others are configuration fleetsim does not
// model, and each is also a warning.
type Unmapped struct {
	File   string
	Line   int
	Path   string // services[0].networkConfiguration
	Reason string
	State  bool
}

// stateReason is the reason given for read-only state.
const stateReason = "state AWS reports, not configuration"

// doc is one input document being read: its problems, its unmapped fields.
type doc struct {
	file  string
	root  *value
	raw   []byte
	probs Problems
	notes []Unmapped // reasons given by the importer as it reads
}

// node is a value with its path from the document root.
type node struct {
	d    *doc
	v    *value
	path string
}

func (n node) child(key string) string {
	if n.path == "" {
		return key
	}
	return n.path + "." + key
}

// get marks key read and returns its value; a null is as if absent.
func (n node) get(key string) (node, bool) {
	if n.v == nil || n.v.kind != kObject {
		return node{}, false
	}
	c, ok := n.v.obj[key]
	if !ok {
		return node{}, false
	}
	n.v.used[key] = true
	if c.kind == kNull {
		return node{}, false
	}
	return node{d: n.d, v: c, path: n.child(key)}, true
}

func (n node) bad(c node, want string) {
	n.d.probs = append(n.d.probs, Problem{File: n.d.file, Line: c.v.line, Key: c.path, Want: want, Got: c.v.describe()})
}

// str is key's string; "" when absent, a problem when not a string.
func (n node) str(key string) string {
	c, ok := n.get(key)
	if !ok {
		return ""
	}
	if c.v.kind != kString {
		n.bad(c, "a string")
		return ""
	}
	return c.v.str
}

// float is key's number.
func (n node) float(key string) (float64, bool) {
	c, ok := n.get(key)
	if !ok {
		return 0, false
	}
	if c.v.kind != kNumber {
		n.bad(c, "a number")
		return 0, false
	}
	f, err := strconv.ParseFloat(c.v.num.String(), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		n.bad(c, "a finite number")
		return 0, false
	}
	return f, true
}

// integer is key's whole number, within ±1e9 (every count and second AWS
// takes here fits).
func (n node) integer(key string) (int, bool) {
	c, ok := n.get(key)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(c.v.num.String(), 64)
	if c.v.kind != kNumber || err != nil || f != math.Trunc(f) || math.Abs(f) > 1e9 {
		n.bad(c, "a whole number (AWS writes counts and seconds as integers)")
		return 0, false
	}
	return int(f), true
}

func (n node) boolean(key string) (bool, bool) {
	c, ok := n.get(key)
	if !ok {
		return false, false
	}
	if c.v.kind != kBool {
		n.bad(c, "true or false")
		return false, false
	}
	return c.v.b, true
}

func (n node) object(key string) (node, bool) {
	c, ok := n.get(key)
	if !ok {
		return node{}, false
	}
	if c.v.kind != kObject {
		n.bad(c, "an object")
		return node{}, false
	}
	return c, true
}

// objects is key's array of objects; an element that is not an object is a
// problem.
func (n node) objects(key string) []node {
	c, ok := n.get(key)
	if !ok {
		return nil
	}
	if c.v.kind != kArray {
		n.bad(c, "an array")
		return nil
	}
	var out []node
	for i, e := range c.v.arr {
		en := node{d: n.d, v: e, path: fmt.Sprintf("%s[%d]", c.path, i)}
		if e.kind != kObject {
			n.bad(en, "an object")
			continue
		}
		out = append(out, en)
	}
	return out
}

// strings is key's array of strings.
func (n node) strings(key string) []string {
	c, ok := n.get(key)
	if !ok {
		return nil
	}
	if c.v.kind != kArray {
		n.bad(c, "an array of strings")
		return nil
	}
	var out []string
	for i, e := range c.v.arr {
		if e.kind != kString {
			n.bad(node{d: n.d, v: e, path: fmt.Sprintf("%s[%d]", c.path, i)}, "a string")
			continue
		}
		out = append(out, e.str)
	}
	return out
}

// state marks keys as read-only state: listed as comments, not warned.
func (n node) state(keys ...string) {
	for _, k := range keys {
		if c, ok := n.get(k); ok {
			c.markAll()
			if c.v.empty() {
				continue // nothing in it to lose
			}
			n.d.notes = append(n.d.notes, Unmapped{File: n.d.file, Line: c.v.line, Path: c.path, Reason: stateReason, State: true})
		}
	}
}

// noEffect marks keys that change nothing fleetsim simulates (tags, exec,
// a default spelled out): listed as comments, not warned.
func (n node) noEffect(keys ...string) {
	for _, k := range keys {
		if c, ok := n.get(k); ok && !c.v.empty() {
			c.markAll()
			n.d.notes = append(n.d.notes, Unmapped{File: n.d.file, Line: c.v.line, Path: c.path, Reason: "no effect on placement, timing or cost", State: true})
		}
	}
}

// notModelled marks key as configuration fleetsim does not model, with why
// and what is assumed: a comment and a warning.
func (n node) notModelled(key, reason string) {
	if c, ok := n.get(key); ok && !c.v.empty() {
		c.markAll()
		n.d.notes = append(n.d.notes, Unmapped{File: n.d.file, Line: c.v.line, Path: c.path, Reason: reason})
	}
}

// whole marks n itself (an array element or an object that is not imported)
// as not imported, with reason.
func (n node) whole(reason string, state bool) {
	n.markAll()
	p := n.path
	if p == "" {
		p = "(the whole document)"
	}
	n.d.notes = append(n.d.notes, Unmapped{File: n.d.file, Line: n.v.line, Path: p, Reason: reason, State: state})
}

// markAll marks every key under n read, so that whole reports it once.
func (n node) markAll() {
	var walk func(v *value)
	walk = func(v *value) {
		for _, k := range v.keys {
			v.used[k] = true
			walk(v.obj[k])
		}
		for _, e := range v.arr {
			walk(e)
		}
	}
	walk(n.v)
}

// leftovers lists every key of the document that nothing read, in document
// order: configuration fleetsim does not model.
func (d *doc) leftovers() []Unmapped {
	var out []Unmapped
	var walk func(v *value, path string)
	walk = func(v *value, path string) {
		switch v.kind {
		case kObject:
			for _, k := range v.keys {
				c := v.obj[k]
				p := k
				if path != "" {
					p = path + "." + k
				}
				if !v.used[k] {
					if c.empty() {
						continue // nothing in it to lose
					}
					out = append(out, Unmapped{File: d.file, Line: c.line, Path: p, Reason: "not modelled by fleetsim"})
					continue
				}
				walk(c, p)
			}
		case kArray:
			for i, e := range v.arr {
				walk(e, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
	walk(d.root, "")
	return out
}

// empty is a value with nothing in it to lose: null, [], {} or "".
func (v *value) empty() bool {
	return v.kind == kNull || (v.kind == kArray && len(v.arr) == 0) || (v.kind == kObject && len(v.keys) == 0) || (v.kind == kString && v.str == "")
}
