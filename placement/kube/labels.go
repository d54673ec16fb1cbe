package kube

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// interner gives every string the Cluster meets (label keys and values,
// namespaces, image names, host IPs) a dense int32 id, so the hot paths
// compare integers. It also keeps each string's base-10 int64 value for the
// Gt and Lt operators.
type interner struct {
	ids  map[string]int32
	strs []string
	nums []parsedInt
	// sels are compiled matchLabels-only selectors by their labels
	// (selectorKey); selKey is scratch.
	sels   map[string]selector
	selKey []byte
	sigs   map[string]string // intern's
	// labelSets are label sets by their kvs, lsBuf scratch.
	labelSets map[string]labelSet
	lsBuf     labelSet
}

type parsedInt struct {
	v  int64
	ok bool
}

func newInterner() interner {
	return interner{ids: map[string]int32{}, sels: map[string]selector{}, sigs: map[string]string{}, labelSets: map[string]labelSet{}}
}

// intern returns b as a string, the same one for the same bytes (a sig
// that many pods share, kept once).
func (in *interner) intern(b []byte) string {
	if s, ok := in.sigs[string(b)]; ok {
		return s
	}
	if len(in.sigs) >= maxCachedSelectors {
		clear(in.sigs)
	}
	s := string(b)
	in.sigs[s] = s
	return s
}

func (in *interner) id(s string) int32 {
	if id, ok := in.ids[s]; ok {
		return id
	}
	id := int32(len(in.strs))
	in.ids[s] = id
	in.strs = append(in.strs, s)
	v, err := strconv.ParseInt(s, 10, 64)
	in.nums = append(in.nums, parsedInt{v, err == nil})
	return id
}

func (in *interner) str(id int32) string { return in.strs[id] }

// kv is one label: key and value ids.
type kv struct{ k, v int32 }

// labelSet is a set of labels sorted by key id.
type labelSet []kv

func (in *interner) labels(m map[string]string) labelSet {
	ls := in.lsBuf[:0]
	for k, v := range m {
		ls = append(ls, kv{in.id(k), in.id(v)})
	}
	slices.SortFunc(ls, func(a, b kv) int { return cmp.Compare(a.k, b.k) })
	in.lsBuf = ls
	// A label set is never changed, so objects with the same labels share
	// one.
	b := in.selKey[:0]
	for _, l := range ls {
		b = binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(b, uint32(l.k)), uint32(l.v))
	}
	in.selKey = b
	if s, ok := in.labelSets[string(b)]; ok {
		return s
	}
	if len(in.labelSets) >= maxCachedSelectors {
		clear(in.labelSets)
	}
	s := slices.Clip(slices.Clone(ls))
	in.labelSets[string(b)] = s
	return s
}

// get returns the value id of key k.
func (ls labelSet) get(k int32) (int32, bool) {
	if len(ls) <= 8 {
		for _, l := range ls {
			if l.k == k {
				return l.v, true
			}
		}
		return 0, false
	}
	i, ok := slices.BinarySearchFunc(ls, k, func(l kv, k int32) int { return cmp.Compare(l.k, k) })
	if !ok {
		return 0, false
	}
	return ls[i].v, true
}

// requirement is a compiled Requirement; vals sorted, num for Gt/Lt.
type requirement struct {
	key  int32
	op   SelectorOperator
	vals []int32
	num  int64
}

// selector is a compiled label selector: requirements ANDed. nothing selects
// no labels (a nil LabelSelector, or a term that failed to parse); no
// requirements and not nothing selects everything (an empty LabelSelector).
type selector struct {
	reqs    []requirement
	nothing bool
}

// empty is labels.Selector.Empty: it selects everything. PodTopologySpread
// counts no existing pod for an empty selector (common.go
// countPodsMatchSelector), though it still matches the incoming pod.
func (s *selector) empty() bool { return !s.nothing && len(s.reqs) == 0 }

func (s *selector) matches(in *interner, ls labelSet) bool {
	if s.nothing {
		return false
	}
	for i := range s.reqs {
		if !s.reqs[i].matches(in, ls) {
			return false
		}
	}
	return true
}

// matches follows apimachinery labels.Requirement.Matches: NotIn and
// DoesNotExist hold on labels without the key; Gt and Lt need the key and an
// integer value.
func (r *requirement) matches(in *interner, ls labelSet) bool {
	v, has := ls.get(r.key)
	switch r.op {
	case OpIn:
		return has && slices.Contains(r.vals, v)
	case OpNotIn:
		return !has || !slices.Contains(r.vals, v)
	case OpExists:
		return has
	case OpDoesNotExist:
		return !has
	case OpGt, OpLt:
		if !has {
			return false
		}
		n := in.nums[v]
		if !n.ok {
			return false
		}
		if r.op == OpGt {
			return n.v > r.num
		}
		return n.v < r.num
	}
	return false
}

// compileRequirement is labels.NewRequirement: it checks the key, the number
// of values the operator takes, integers for Gt/Lt and every value's syntax.
// nodeOps admits Gt and Lt (node selectors); label selectors do not.
func (in *interner) compileRequirement(r Requirement, nodeOps bool) (requirement, error) {
	cr := requirement{key: in.id(r.Key), op: r.Operator}
	if err := validLabelKey(r.Key); err != nil {
		return cr, err
	}
	switch r.Operator {
	case OpIn, OpNotIn:
		if len(r.Values) == 0 {
			return cr, fmt.Errorf("for 'in', 'notin' operators, values set can't be empty")
		}
	case OpExists, OpDoesNotExist:
		if len(r.Values) != 0 {
			return cr, fmt.Errorf("values set must be empty for exists and does not exist")
		}
	case OpGt, OpLt:
		if !nodeOps {
			return cr, fmt.Errorf("%q is not a valid label selector operator", r.Operator)
		}
		if len(r.Values) != 1 {
			return cr, fmt.Errorf("for 'Gt', 'Lt' operators, exactly one value is required")
		}
		n, err := strconv.ParseInt(r.Values[0], 10, 64)
		if err != nil {
			return cr, fmt.Errorf("for 'Gt', 'Lt' operators, the value must be an integer")
		}
		cr.num = n
	default:
		return cr, fmt.Errorf("operator %d is not supported", r.Operator)
	}
	for _, v := range r.Values {
		if err := validLabelValue(v); err != nil {
			return cr, err
		}
		cr.vals = append(cr.vals, in.id(v))
	}
	slices.Sort(cr.vals)
	return cr, nil
}

// labelSelector is metav1.LabelSelectorAsSelector: nil selects nothing, an
// empty selector everything, matchLabels are equality requirements.
func (in *interner) labelSelector(ls *LabelSelector) (selector, error) {
	if ls == nil {
		return selector{nothing: true}, nil
	}
	if len(ls.MatchExpressions) > 0 || len(ls.MatchLabels) > maxCachedSelectorLabels {
		return in.compileSelector(ls)
	}
	// A compiled selector is never changed, so pods with the same
	// matchLabels share one.
	key := in.selectorKey(ls.MatchLabels)
	if s, ok := in.sels[string(key)]; ok {
		return s, nil
	}
	s, err := in.compileSelector(ls)
	if err == nil {
		if len(in.sels) >= maxCachedSelectors {
			clear(in.sels)
		}
		in.sels[string(key)] = s
	}
	return s, err
}

// Bounds of the interner's selector cache.
const (
	maxCachedSelectorLabels = 4
	maxCachedSelectors      = 4096
)

// selectorKey returns m's labels in key order, each key and value ended by
// a NUL (which no valid key or value holds), in in.selKey.
func (in *interner) selectorKey(m map[string]string) []byte {
	var kb [maxCachedSelectorLabels]string
	keys := kb[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := in.selKey[:0]
	for _, k := range keys {
		b = append(append(b, k...), 0)
		b = append(append(b, m[k]...), 0)
	}
	in.selKey = b
	return b
}

// compileSelector is labelSelector without the cache.
func (in *interner) compileSelector(ls *LabelSelector) (selector, error) {
	var s selector
	for _, k := range sortedKeys(ls.MatchLabels) {
		r, err := in.compileRequirement(Requirement{Key: k, Operator: OpIn, Values: []string{ls.MatchLabels[k]}}, false)
		if err != nil {
			return selector{nothing: true}, fmt.Errorf("matchLabels[%s]: %w", k, err)
		}
		s.reqs = append(s.reqs, r)
	}
	for i, e := range ls.MatchExpressions {
		r, err := in.compileRequirement(e, false)
		if err != nil {
			return selector{nothing: true}, fmt.Errorf("matchExpressions[%d]: %w", i, err)
		}
		s.reqs = append(s.reqs, r)
	}
	return s, nil
}

// nodeTerm is a node selector term; an empty or unparsable term matches no
// node (component-helpers nodeaffinity: "nil or empty term matches no
// objects", parse errors are lazy).
func (in *interner) nodeTerm(t NodeSelectorTerm) (selector, error) {
	if len(t.MatchExpressions) == 0 {
		return selector{nothing: true}, nil
	}
	var s selector
	for i, e := range t.MatchExpressions {
		r, err := in.compileRequirement(e, true)
		if err != nil {
			return selector{nothing: true}, fmt.Errorf("matchExpressions[%d]: %w", i, err)
		}
		s.reqs = append(s.reqs, r)
	}
	return s, nil
}

// sig appends a canonical form of s for deduplicating selectors.
func (s *selector) sig(b []byte) []byte {
	if s.nothing {
		return append(b, 'N')
	}
	for _, r := range s.reqs {
		b = appendSigInt(append(b, '('), int64(r.key))
		b = appendSigInt(b, int64(r.op))
		b = appendSigInt(b, int64(len(r.vals)))
		for _, v := range r.vals {
			b = appendSigInt(b, int64(v))
		}
		b = appendSigInt(b, r.num)
	}
	return b
}

// appendSigInt appends v to a signature in 8 bytes: signatures are map keys
// only, and fixed-width fields (lists after their length) keep them
// unambiguous.
func appendSigInt(b []byte, v int64) []byte { return binary.LittleEndian.AppendUint64(b, uint64(v)) }

// anchor returns an equality requirement (key = one value) every match must
// satisfy, if the selector has one: Bind looks selectors up by the pod's
// labels through it instead of testing them all.
func (s *selector) anchor() (kv, bool) {
	for _, r := range s.reqs {
		if r.op == OpIn && len(r.vals) == 1 {
			return kv{r.key, r.vals[0]}, true
		}
	}
	return kv{}, false
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// validLabelValue is apimachinery validation.IsValidLabelValue: at most 63
// characters, empty or alphanumeric at both ends with '-', '_' or '.' inside.
func validLabelValue(v string) error {
	if len(v) > 63 {
		return fmt.Errorf("invalid label value %q: must be no more than 63 characters", v)
	}
	if v != "" && !isQualifiedName(v) {
		return fmt.Errorf("invalid label value %q: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", v)
	}
	return nil
}

// validLabelKey is apimachinery validation.IsQualifiedName: an optional DNS
// subdomain prefix and '/', then a name of 1-63 characters.
func validLabelKey(k string) error {
	name := k
	if prefix, rest, ok := strings.Cut(k, "/"); ok {
		if !isDNSSubdomain(prefix) {
			return fmt.Errorf("invalid label key %q: prefix part must be a lowercase RFC 1123 subdomain", k)
		}
		name = rest
	}
	if name == "" || len(name) > 63 || !isQualifiedName(name) {
		return fmt.Errorf("invalid label key %q: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", k)
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isQualifiedName(s string) bool {
	if s == "" || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func isDNSSubdomain(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" || len(part) > 63 {
			return false
		}
		lower := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
		if !lower(part[0]) || !lower(part[len(part)-1]) {
			return false
		}
		for i := 0; i < len(part); i++ {
			if c := part[i]; !lower(c) && c != '-' {
				return false
			}
		}
	}
	return true
}
