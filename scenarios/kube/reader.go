package kube

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
)

// maxNodes bounds the nodes read from one document. Aliases let a short text
// name a node many times ("billion laughs"); past this many the document is
// reported, not walked.
const maxNodes = 100_000

// reader walks the YAML nodes of one file into typed values, collecting a
// Problem for each thing wrong and a warning for each field it does not know.
type reader struct {
	file     string
	subject  string // the object being read, for messages
	problems Problems
	warnings Problems
	budget   int  // nodes left in this document
	blown    bool // the budget ran out and was reported
}

// path is a field path as Kubernetes writes it: spec.containers[0].name.
type path string

func (p path) field(name string) path {
	if p == "" {
		return path(name)
	}
	return p + "." + path(name)
}

func (p path) index(i int) path { return p + "[" + path(strconv.Itoa(i)) + "]" }

func (p path) key(k string) path { return p + "[" + path(k) + "]" }

// fields is a mapping read as an object: its fields by name, its path and
// line. The zero fields is an absent object: every getter gives its default.
type fields struct {
	path  path
	line  int
	nodes map[string]*yaml.Node
	keys  map[string]int // the line of each key
	order []string       // the keys in document order, merged ones last
	at    int            // the line of the key naming this object (sub), if any
}

// has reports whether the field is present and not null.
func (f fields) has(name string) bool { return f.nodes[name] != nil }

// bad records a problem at p on line.
func (r *reader) bad(p path, line int, want, got string) {
	r.problems = append(r.problems, Problem{File: r.file, Line: line, Object: r.subject, Path: string(p), Want: want, Got: got})
}

// badHint records a problem with a hint.
func (r *reader) badHint(p path, line int, want, got, hint string) {
	r.problems = append(r.problems, Problem{File: r.file, Line: line, Object: r.subject, Path: string(p), Want: want, Got: got, Hint: hint})
}

// warn records a warning at p on line.
func (r *reader) warn(p path, line int, want, got, hint string) {
	r.warnings = append(r.warnings, Problem{File: r.file, Line: line, Object: r.subject, Path: string(p), Want: want, Got: got, Hint: hint})
}

// visit spends one node of the budget; false once it is spent.
func (r *reader) visit(n *yaml.Node) bool {
	r.budget--
	if r.budget >= 0 {
		return true
	}
	if !r.blown {
		r.blown = true
		r.bad("", n.Line, "a document of at most "+strconv.Itoa(maxNodes)+" nodes", "more, once its aliases are expanded")
	}
	return false
}

// resolve follows aliases and turns null into absent (nil), as a JSON null
// leaves a Kubernetes field unset.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	if n == nil || n.Kind == yaml.AliasNode || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return nil
	}
	return n
}

// describe says what n is, for a problem's "found".
func describe(n *yaml.Node) string {
	if n = resolve(n); n == nil {
		return "null"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.DocumentNode:
		return "a document"
	}
	if n.Tag == "!!str" || n.Tag == "!!timestamp" {
		v := n.Value
		if len(v) > 60 {
			v = v[:57] + "..."
		}
		return strconv.Quote(v)
	}
	return n.Value
}

// object reads n at p as a mapping whose fields are known; an unknown field
// is a warning with the nearest known name as a hint (known nil: a free-form
// mapping such as labels, no warnings). Absent or null gives the zero fields
// and false; anything else but a mapping is a problem.
func (r *reader) object(p path, n *yaml.Node, known []string) (fields, bool) {
	at := n
	if n = resolve(n); n == nil {
		return fields{path: p}, false
	}
	if !r.visit(n) {
		return fields{path: p}, false
	}
	if n.Kind != yaml.MappingNode {
		r.bad(p, at.Line, "a mapping", describe(n))
		return fields{path: p}, false
	}
	f := &fields{path: p, line: n.Line, nodes: map[string]*yaml.Node{}, keys: map[string]int{}}
	r.entries(f, n, 0)
	if known != nil {
		r.unknown(*f, known)
	}
	return *f, true
}

// sub reads field name of f as an object (see object). Fields missing from
// it are reported on the line of name's key, or of f when name is absent.
func (r *reader) sub(f fields, name string, known []string) (fields, bool) {
	s, ok := r.object(f.path.field(name), f.nodes[name], known)
	s.at = f.keys[name]
	if s.at == 0 {
		s.at = f.lineOf(name)
	}
	return s, ok
}

// unknown warns of each field of f that known does not list.
func (r *reader) unknown(f fields, known []string) {
	for _, name := range f.order {
		if !slices.Contains(known, name) {
			r.warn(f.path.field(name), f.keys[name], "a field Kubernetes defines here", strconv.Quote(name), didYouMean(name, known))
		}
	}
}

// entries adds n's keys to f, following YAML merge keys (<<: *anchor): the
// mapping's own keys win, then the merged ones in order. A key given twice in
// one mapping is a problem; Kubernetes' YAML reader would keep the last.
func (r *reader) entries(f *fields, n *yaml.Node, depth int) {
	var merges []*yaml.Node
	own := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		name := k.Value
		if first, dup := own[name]; dup {
			r.bad(f.path.field(name), k.Line, "each key once", strconv.Quote(name)+" again (first on line "+strconv.Itoa(first)+")")
			continue
		}
		own[name] = k.Line
		f.keys[name] = k.Line
		f.nodes[name] = resolve(v)
		f.order = append(f.order, name)
	}
	for _, m := range merges {
		r.merge(f, m, depth)
	}
}

// merge adds the mapping (or list of mappings) m names to f, for <<.
func (r *reader) merge(f *fields, m *yaml.Node, depth int) {
	at := m
	m = resolve(m)
	if m == nil || depth > 10 || !r.visit(m) {
		return
	}
	switch m.Kind {
	case yaml.MappingNode:
		sub := &fields{path: f.path, nodes: map[string]*yaml.Node{}, keys: map[string]int{}}
		r.entries(sub, m, depth+1)
		for _, name := range sub.order {
			if _, ok := f.keys[name]; !ok {
				f.keys[name] = sub.keys[name]
				f.nodes[name] = sub.nodes[name]
				f.order = append(f.order, name)
			}
		}
	case yaml.SequenceNode:
		for _, item := range m.Content {
			r.merge(f, item, depth)
		}
	default:
		r.bad(f.path, at.Line, "a mapping to merge (<<)", describe(m))
	}
}

// didYouMean suggests the known name nearest to name, if one is close.
func didYouMean(name string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := catalog.EditDistance(strings.ToLower(name), strings.ToLower(k)); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return "did you mean " + best + "?"
}

// lineOf is where field name of f is; when it is absent, the line of the
// key naming f, or f's own.
func (f fields) lineOf(name string) int {
	if l, ok := f.keys[name]; ok {
		if n := f.nodes[name]; n != nil {
			return n.Line
		}
		return l
	}
	if f.at != 0 {
		return f.at
	}
	return f.line
}

// str reads a string field; absent is "".
func (r *reader) str(f fields, name string) string {
	n := f.nodes[name]
	if n == nil {
		return ""
	}
	if !r.visit(n) {
		return ""
	}
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "!!timestamp") {
		r.bad(f.path.field(name), n.Line, "a string", describe(n))
		return ""
	}
	return n.Value
}

// required reads a string field that must be present and not empty.
func (r *reader) required(f fields, name, want string) string {
	mark := len(r.problems)
	s := r.str(f, name)
	if s == "" && len(r.problems) == mark {
		got := "none"
		if f.has(name) {
			got = `""`
		}
		r.bad(f.path.field(name), f.lineOf(name), want, got)
	}
	return s
}

// enum reads a string field that must be one of allowed; absent gives def.
func (r *reader) enum(f fields, name, def string, allowed ...string) string {
	if !f.has(name) {
		return def
	}
	mark := len(r.problems)
	s := r.str(f, name)
	if len(r.problems) > mark {
		return def
	}
	if !slices.Contains(allowed, s) {
		r.bad(f.path.field(name), f.lineOf(name), oneOf(allowed), strconv.Quote(s))
		return def
	}
	return s
}

// oneOf words a list of allowed strings: `"A", "B" or "C"`.
func oneOf(allowed []string) string {
	q := make([]string, len(allowed))
	for i, a := range allowed {
		q[i] = strconv.Quote(a)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// integer reads an integer field within [lo, hi]; absent gives def, and so
// does a wrong one (after its problem). Like Kubernetes' JSON decoding, a
// string or a float (3.0) is not an integer.
func (r *reader) integer(f fields, name string, def, lo, hi int64) int64 {
	v, _ := r.optInteger(f, name, lo, hi)
	if v == nil {
		return def
	}
	return *v
}

// optInteger reads an integer field that may be absent (nil); ok is false
// after a problem.
func (r *reader) optInteger(f fields, name string, lo, hi int64) (*int64, bool) {
	n := f.nodes[name]
	if n == nil {
		return nil, true
	}
	if !r.visit(n) {
		return nil, false
	}
	p := f.path.field(name)
	want := "an integer from " + strconv.FormatInt(lo, 10) + " to " + strconv.FormatInt(hi, 10)
	var v int64
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&v) != nil {
		r.bad(p, n.Line, want, describe(n))
		return nil, false
	}
	if v < lo || v > hi {
		r.bad(p, n.Line, want, n.Value)
		return nil, false
	}
	return &v, true
}

// seconds reads a whole number of seconds at least lo as a Duration.
func (r *reader) seconds(f fields, name string, def time.Duration, lo int64) time.Duration {
	v, _ := r.optInteger(f, name, lo, 1<<31-1)
	if v == nil {
		return def
	}
	return time.Duration(*v) * time.Second
}

// boolean reads a true/false field; absent is false.
func (r *reader) boolean(f fields, name string) bool {
	n := f.nodes[name]
	if n == nil || !r.visit(n) {
		return false
	}
	var v bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&v) != nil {
		r.bad(f.path.field(name), n.Line, "true or false", describe(n))
		return false
	}
	return v
}

// list reads a list field's items (aliases followed); absent is nil.
func (r *reader) list(f fields, name string) []*yaml.Node {
	n := f.nodes[name]
	if n == nil || !r.visit(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		r.bad(f.path.field(name), n.Line, "a list", describe(n))
		return nil
	}
	return n.Content
}

// strings reads a list of strings.
func (r *reader) strings(f fields, name string) []string {
	var out []string
	for i, item := range r.list(f, name) {
		at := item
		item = resolve(item)
		if item == nil || item.Kind != yaml.ScalarNode || (item.Tag != "!!str" && item.Tag != "!!timestamp") {
			r.bad(f.path.field(name).index(i), at.Line, "a string", describe(item))
			continue
		}
		if !r.visit(item) {
			return out
		}
		out = append(out, item.Value)
	}
	return out
}

// stringMap reads a mapping of strings to strings (labels, annotations,
// nodeSelector); absent is nil.
func (r *reader) stringMap(f fields, name string) map[string]string {
	m, ok := r.sub(f, name, nil)
	if !ok {
		return nil
	}
	out := make(map[string]string, len(m.nodes))
	for _, k := range m.order {
		if m.nodes[k] == nil {
			out[k] = "" // a null value reads as the empty string
			continue
		}
		mark := len(r.problems)
		if s := r.str(m, k); len(r.problems) == mark {
			out[k] = s
		}
	}
	return out
}

// quantity reads a quantity field: a string ("250m") or a YAML number (1,
// 0.5, 1e3), as Quantity.UnmarshalJSON takes either, trimmed of spaces.
func (r *reader) quantity(p path, n *yaml.Node) (Quantity, bool) {
	at := n
	if n = resolve(n); n == nil {
		r.bad(p, at.Line, "a quantity", "null")
		return Quantity{}, false
	}
	if !r.visit(n) {
		return Quantity{}, false
	}
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "!!int" && n.Tag != "!!float") {
		r.bad(p, n.Line, `a quantity such as "250m", "0.5", "512Mi" or 1`, describe(n))
		return Quantity{}, false
	}
	text := strings.TrimSpace(n.Value)
	if n.Tag == "!!int" {
		// YAML integers such as 0x10 or 1_000 reach Kubernetes as JSON numbers.
		var v int64
		if n.Decode(&v) == nil {
			text = strconv.FormatInt(v, 10)
		}
	}
	q, err := ParseQuantity(text)
	if err != nil {
		r.bad(p, n.Line, `a quantity such as "250m", "0.5", "512Mi" or 1`, describe(n)+": "+strings.TrimPrefix(err.Error(), "kube: not a quantity: "))
		return Quantity{}, false
	}
	return q, true
}
