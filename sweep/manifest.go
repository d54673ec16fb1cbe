package sweep

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ManifestFormat is the version of sweep.json's layout.
const ManifestFormat = 1

// Manifest is sweep.json: what a results folder is the result of. Two
// shards merge only when their manifests are equal but for the shard index.
type Manifest struct {
	Format         int               `json:"format"`
	Scenario       string            `json:"scenario"`        // the scenario's name
	ScenarioSHA256 string            `json:"scenario_sha256"` // of the scenario file's text
	ScenarioSeed   uint64            `json:"scenario_seed"`   // the seeds derive from it
	Set            []ManifestValue   `json:"set"`
	Axes           []ManifestAxis    `json:"axes"`
	Seeds          int               `json:"seeds"`
	Runs           int               `json:"runs"` // of the whole sweep
	Columns        []string          `json:"columns"`
	Shard          Shard             `json:"shard"`
	RunSeeds       []uint64          `json:"run_seeds"` // seed k of every variant
	Variants       []ManifestVariant `json:"variants"`
}

// ManifestValue is a fixed override: KEY=VALUE, the value as TOML.
type ManifestValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// ManifestAxis is a varied key and its values as TOML and as displayed.
type ManifestAxis struct {
	Key     string   `json:"key"`
	Values  []string `json:"values"`
	Display []string `json:"display"`
}

// ManifestVariant is a variant's id and the index of its value on each axis.
type ManifestVariant struct {
	ID     int   `json:"id"`
	Values []int `json:"value_indexes"`
}

func newManifest(spec Spec, runs int) Manifest {
	m := Manifest{
		Format:         ManifestFormat,
		Scenario:       spec.Base.Config.Name,
		ScenarioSHA256: sourceHash(spec.Base.Source),
		ScenarioSeed:   spec.Base.Config.Seed,
		Set:            []ManifestValue{},
		Axes:           []ManifestAxis{},
		Seeds:          spec.Seeds,
		Runs:           runs,
		Shard:          Shard{Index: 0, Count: 1},
	}
	for _, o := range spec.Set {
		m.Set = append(m.Set, ManifestValue{Key: o.Key, Value: o.Value.Text})
	}
	lens := make([]int, len(spec.Axes))
	for a, ax := range spec.Axes {
		ma := ManifestAxis{Key: ax.Key}
		for _, v := range ax.Values {
			ma.Values = append(ma.Values, v.Text)
			ma.Display = append(ma.Display, v.Display())
		}
		m.Axes = append(m.Axes, ma)
		lens[a] = len(ax.Values)
	}
	for id := 1; id <= GridSize(lens); id++ {
		m.Variants = append(m.Variants, ManifestVariant{ID: id, Values: gridIndexes(lens, id)})
	}
	for k := range spec.Seeds {
		m.RunSeeds = append(m.RunSeeds, SeedFor(spec.Base.Config.Seed, k))
	}
	m.Columns = columns(m)
	return m
}

// display returns variant id's value on each axis, as displayed.
func (m *Manifest) display(id int) []string {
	v := m.Variants[id-1]
	out := make([]string, len(v.Values))
	for a, i := range v.Values {
		out[a] = m.Axes[a].Display[i]
	}
	return out
}

// sameSweep explains how o differs from m, ignoring the shard index; "" when
// they describe the same sweep.
func (m *Manifest) sameSweep(o *Manifest) string {
	a, b := *m, *o
	a.Shard.Index, b.Shard.Index = 0, 0
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) == string(jb) {
		return ""
	}
	var diffs []string
	add := func(field string, x, y any) {
		sx, _ := json.Marshal(x)
		sy, _ := json.Marshal(y)
		if string(sx) != string(sy) {
			diffs = append(diffs, fmt.Sprintf("%s %s vs %s", field, sx, sy))
		}
	}
	add("format", a.Format, b.Format)
	add("scenario", a.Scenario, b.Scenario)
	add("scenario_sha256", a.ScenarioSHA256, b.ScenarioSHA256)
	add("scenario_seed", a.ScenarioSeed, b.ScenarioSeed)
	add("set", a.Set, b.Set)
	add("axes", a.Axes, b.Axes)
	add("seeds", a.Seeds, b.Seeds)
	add("shard count", a.Shard.Count, b.Shard.Count)
	if len(diffs) == 0 {
		diffs = append(diffs, "derived fields (runs, columns, seeds, variants)")
	}
	return strings.Join(diffs, "; ")
}

// ReadManifest reads dir/sweep.json.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("%s: not a sweep folder: %w", dir, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestFile), err)
	}
	if m.Format != ManifestFormat {
		return nil, fmt.Errorf("%s: format %d, this fleetsim reads format %d", filepath.Join(dir, ManifestFile), m.Format, ManifestFormat)
	}
	if m.Shard.Count < 1 || m.Shard.Index < 0 || m.Shard.Index >= m.Shard.Count {
		return nil, fmt.Errorf("%s: bad shard %s", filepath.Join(dir, ManifestFile), m.Shard)
	}
	if len(m.Variants) == 0 || len(m.RunSeeds) != m.Seeds || m.Runs != len(m.Variants)*m.Seeds ||
		!slices.Equal(m.Columns, columns(m)) {
		return nil, fmt.Errorf("%s: inconsistent manifest (variants, seeds, runs or columns)", filepath.Join(dir, ManifestFile))
	}
	for i, v := range m.Variants {
		if v.ID != i+1 || len(v.Values) != len(m.Axes) {
			return nil, fmt.Errorf("%s: inconsistent variant %d", filepath.Join(dir, ManifestFile), i+1)
		}
		for a, j := range v.Values {
			if j < 0 || j >= len(m.Axes[a].Display) {
				return nil, fmt.Errorf("%s: variant %d: value index out of range", filepath.Join(dir, ManifestFile), v.ID)
			}
		}
	}
	return &m, nil
}
