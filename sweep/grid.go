package sweep

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim/des"
)

// Axis is one varied key and the values it takes, in the order given.
type Axis struct {
	Key    string
	Path   []string
	Values []Value
}

// ParseAxis parses KEY=V1,V2,...: the values are TOML, split on the commas
// outside brackets and quotes.
func ParseAxis(arg string) (Axis, error) {
	key, list, ok := strings.Cut(arg, "=")
	if !ok {
		return Axis{}, fmt.Errorf("%s: want KEY=V1,V2,...", arg)
	}
	key = strings.TrimSpace(key)
	path, err := checkKey(key)
	if err != nil {
		return Axis{}, err
	}
	if strings.TrimSpace(list) == "" {
		return Axis{}, fmt.Errorf("%s: no values: an empty grid (want %s=V1,V2,...)", key, key)
	}
	texts, err := SplitValues(list)
	if err != nil {
		return Axis{}, fmt.Errorf("%s: %w", key, err)
	}
	a := Axis{Key: key, Path: path}
	seen := map[string]bool{}
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			return Axis{}, fmt.Errorf("%s: value %d of %d is empty (a stray comma?)", key, i+1, len(texts))
		}
		v, err := ParseValue(t)
		if err != nil {
			return Axis{}, fmt.Errorf("%s: %w", key, err)
		}
		if seen[v.Text] {
			return Axis{}, fmt.Errorf("%s: value %s is given twice", key, v.Text)
		}
		seen[v.Text] = true
		a.Values = append(a.Values, v)
	}
	return a, nil
}

// Spec is what a sweep runs: a base scenario, overrides applied to every
// variant, the axes whose Cartesian product makes the variants, and the
// number of seeds each variant runs with.
type Spec struct {
	Base    *scenarios.Scenario
	ReadRel func(string) ([]byte, error) // reads files the scenario refers to
	Set     []Override
	Axes    []Axis
	Seeds   int
}

// Variant is one point of the grid.
type Variant struct {
	ID     int     // 1-based, in grid order
	Values []Value // one per axis
	Source string  // the scenario text with Set and Values applied
}

// Run is one simulation of the sweep: a variant with one of the seeds.
type Run struct {
	Index   int // 0-based position in the run list
	Variant int // Variant.ID
	SeedNum int // k in 0..Seeds-1
	Seed    uint64
}

// Plan is a validated sweep: every variant's scenario has been parsed.
type Plan struct {
	Spec     Spec
	Variants []Variant
	Runs     []Run
	Manifest Manifest

	softLimit int64 // SoftMemoryLimit
}

// SoftMemoryLimit is the largest soft memory limit a run of one of the
// plan's variants would get alone (scenarios.RunEstimate.SoftMemoryLimit),
// worked out from the parses NewPlan checks the variants with; 0 for a
// Plan NewPlan did not make.
func (p *Plan) SoftMemoryLimit() int64 { return p.softLimit }

// SeedFor is the seed of a variant's k-th run: the first draw of the stream
// named "sweep/k" of the scenario's seed (sim/des.NewStream). Every variant
// uses the same seeds (common random numbers: variants differ by their
// settings, not by their luck), and the seeds depend on nothing else, so a
// run's results do not depend on the worker count or the shard.
func SeedFor(scenarioSeed uint64, k int) uint64 {
	return des.NewStream(scenarioSeed, "sweep/"+strconv.Itoa(k)).Uint64()
}

// GridSize is the number of variants: the product of the axes' lengths.
func GridSize(axes []int) int {
	n := 1
	for _, l := range axes {
		n *= l
	}
	return n
}

// gridIndexes returns the axis value indexes of variant id (1-based): the
// first axis varies slowest, the last fastest, as nested loops in the
// order the axes were given.
func gridIndexes(lens []int, id int) []int {
	idx := make([]int, len(lens))
	r := id - 1
	for a := len(lens) - 1; a >= 0; a-- {
		idx[a] = r % lens[a]
		r /= lens[a]
	}
	return idx
}

// NewPlan applies the overrides of every variant to the scenario's text,
// validates each result exactly as a scenario file, and lists the runs.
// Problems come back as scenarios.Problems, every one of them: a bad key
// names the segment that matched nothing, a bad value the validator's
// complaint, with the variant's overrides in place of the file name.
func NewPlan(spec Spec) (*Plan, error) {
	if spec.Seeds < 1 {
		return nil, fmt.Errorf("sweep: want at least one seed, got %d", spec.Seeds)
	}
	if err := checkDistinct(spec); err != nil {
		return nil, err
	}
	lens := make([]int, len(spec.Axes))
	for a, ax := range spec.Axes {
		lens[a] = len(ax.Values)
	}
	p := &Plan{Spec: spec}
	sources := newSources(spec)
	if ps := checkOverrides(spec, sources); len(ps) > 0 { // once per key or value, not once per variant
		return nil, ps
	}
	if _, _, ps := sources.of(spec.Set); len(ps) > 0 { // the fixed overrides alone, reported once
		return nil, ps
	}
	var problems scenarios.Problems
	for id := 1; id <= GridSize(lens); id++ {
		v := Variant{ID: id}
		ovs := append([]Override(nil), spec.Set...)
		for a, i := range gridIndexes(lens, id) {
			ax := spec.Axes[a]
			v.Values = append(v.Values, ax.Values[i])
			ovs = append(ovs, Override{Key: ax.Key, Path: ax.Path, Value: ax.Values[i]})
		}
		src, limit, ps := sources.of(ovs)
		problems = append(problems, ps...)
		v.Source = src
		p.softLimit = max(p.softLimit, limit)
		p.Variants = append(p.Variants, v)
	}
	if len(problems) > 0 {
		return nil, dedupe(problems)
	}
	seed := spec.Base.Config.Seed
	for _, v := range p.Variants {
		for k := range spec.Seeds {
			p.Runs = append(p.Runs, Run{Index: len(p.Runs), Variant: v.ID, SeedNum: k, Seed: SeedFor(seed, k)})
		}
	}
	p.Manifest = newManifest(spec, len(p.Runs))
	return p, nil
}

// checkDistinct reports, as bad input (scenarios.Problems naming the flag
// and the key), a key given twice to --set and --vary together, or varied
// over no values.
func checkDistinct(spec Spec) error {
	seen := map[string]bool{}
	twice := func(flag, key string) error {
		return scenarios.Problems{{File: flag, Key: key, Want: "each key set or varied once", Got: "it twice"}}
	}
	for _, o := range spec.Set {
		k := strings.Join(o.Path, "\x00")
		if seen[k] {
			return twice("--set", o.Key)
		}
		seen[k] = true
	}
	for _, a := range spec.Axes {
		k := strings.Join(a.Path, "\x00")
		if seen[k] {
			return twice("--vary", a.Key)
		}
		seen[k] = true
		if len(a.Values) == 0 {
			return scenarios.Problems{{File: "--vary", Key: a.Key, Want: "at least one value", Got: "none"}}
		}
	}
	return nil
}

// sources is variantSource with a memory of the override lists it was
// given: planning a sweep checks each varied value on its own and then
// every variant, and a one-key sweep's variants are those same lists, so
// each list's scenario is decoded, overridden and parsed once (a parse is
// the longest part of a small sweep's start, before any run).
type sources struct {
	spec Spec
	memo map[string]sourced
}

type sourced struct {
	src      string
	limit    int64
	problems scenarios.Problems
}

func newSources(spec Spec) *sources { return &sources{spec: spec, memo: map[string]sourced{}} }

// of is variantSource(spec, ovs) for the spec s was made for.
func (s *sources) of(ovs []Override) (string, int64, scenarios.Problems) {
	var k strings.Builder
	for _, o := range ovs {
		fmt.Fprintf(&k, "%q %q %q %#v\x00", o.Key, o.Path, o.Value.Text, o.Value.V)
	}
	if got, ok := s.memo[k.String()]; ok {
		return got.src, got.limit, slices.Clone(got.problems)
	}
	src, limit, ps := variantSource(s.spec, ovs)
	s.memo[k.String()] = sourced{src, limit, slices.Clone(ps)}
	return src, limit, ps
}

// variantSource decodes the base scenario, applies the overrides in order,
// re-encodes it and parses the result; with the text, the soft memory
// limit a run of it would get (scenarios.Estimate).
func variantSource(spec Spec, ovs []Override) (string, int64, scenarios.Problems) {
	names := make([]string, len(ovs))
	for i, o := range ovs {
		names[i] = o.String()
	}
	display := spec.Base.File
	if len(ovs) > 0 {
		display += " with " + strings.Join(names, ", ")
	}
	doc, err := decodeDoc(spec.Base.Source)
	if err != nil {
		return "", 0, scenarios.Problems{{File: spec.Base.File, Got: err.Error()}}
	}
	var problems scenarios.Problems
	for _, o := range ovs {
		if err := o.Apply(doc); err != nil {
			problems = append(problems, scenarios.Problem{File: spec.Base.File, Key: o.Key, Got: err.Error()})
		}
	}
	if len(problems) > 0 {
		return "", 0, problems
	}
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(doc); err != nil {
		return "", 0, scenarios.Problems{{File: display, Got: "cannot encode the overridden scenario: " + err.Error()}}
	}
	sc, err := scenarios.Parse(b.String(), display, spec.ReadRel)
	if err != nil {
		ps, ok := err.(scenarios.Problems)
		if !ok {
			return "", 0, scenarios.Problems{{File: display, Got: err.Error()}}
		}
		for i := range ps {
			ps[i].Line = 0 // a line of the re-encoded text means nothing to the user
		}
		return "", 0, ps
	}
	return b.String(), scenarios.Estimate(sc.Config).SoftMemoryLimit(), nil
}

// decodeDoc decodes a scenario's text into the generic map overrides edit.
func decodeDoc(src string) (map[string]any, error) {
	var doc map[string]any
	_, err := toml.Decode(src, &doc)
	return doc, err
}

// dedupe drops repeated problems (a bad fixed override fails every variant
// the same way), keeping the first.
func dedupe(ps scenarios.Problems) scenarios.Problems {
	seen := map[string]bool{}
	var out scenarios.Problems
	for _, p := range ps {
		if k := p.Error(); !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	return out
}

// Shard is slice Index (0-based) of Count of a sweep's run list: the runs
// whose index mod Count is Index. The whole sweep is Shard{0, 1}.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// ParseShard parses I/N with 0 <= I < N (0-based, as Kubernetes'
// JOB_COMPLETION_INDEX and AWS Batch's AWS_BATCH_JOB_ARRAY_INDEX).
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("shard %q: want I/N, two integers, e.g. 0/3", s)
	}
	switch {
	case n < 1:
		return Shard{}, fmt.Errorf("shard %q: want at least one shard (N >= 1), e.g. 0/1 for the whole sweep", s)
	case i < 0 || i >= n:
		return Shard{}, fmt.Errorf("shard %q: want 0 <= I < N (shards are numbered from 0): %s", s, shardRange(n))
	}
	return Shard{Index: i, Count: n}, nil
}

// shardRange lists the shards of n: "0/3, 1/3, 2/3", or the first and last.
func shardRange(n int) string {
	if n <= 4 {
		parts := make([]string, n)
		for i := range n {
			parts[i] = fmt.Sprintf("%d/%d", i, n)
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprintf("0/%d .. %d/%d", n, n-1, n)
}

// Owns reports whether run index i belongs to the shard.
func (s Shard) Owns(i int) bool { return i%s.Count == s.Index }

// String is I/N.
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// RunsOf returns the plan's runs that belong to shard s.
func (p *Plan) RunsOf(s Shard) []Run {
	var out []Run
	for _, r := range p.Runs {
		if s.Owns(r.Index) {
			out = append(out, r)
		}
	}
	return out
}

// sourceHash is the SHA-256 of a scenario's text, in hex.
func sourceHash(src string) string {
	h := sha256.Sum256([]byte(src))
	return hex.EncodeToString(h[:])
}
