// Package catalog is the EC2 instance-type catalog: size, network limits and
// On-Demand price of every type, read from an embedded copy of AWS's data. It
// knows nothing of ECS, so that other orchestrators can share it.
package catalog

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// InstanceType is one EC2 instance type as the catalog describes it.
type InstanceType struct {
	Name            string // "m5.large"
	Family          string // "m5"
	Size            string // "large"
	VCPU            int
	MemoryMiB       int64
	Arch            string // ECS's ecs.cpu-architecture: "x86_64" or "arm64"
	MaxENIs         int    // network interfaces, the primary one included
	IPv4PerENI      int
	Trunking        bool // supports ECS ENI trunking
	PriceUSDPerHour float64
	GPUs            int // physical GPUs (NVIDIA); 0 when none or the CSV has no gpus column
}

// Catalog is a set of instance types, sorted by name.
type Catalog struct {
	Region     string
	Source     string
	types      []InstanceType
	notOffered map[string]bool // catalog types the region does not offer (ForRegion)
}

//go:embed ec2-us-east-1.csv
var usEast1 string

// Default returns the embedded us-east-1 catalog. It is parsed once and
// shared: a catalog is read-only once made, so every run (and every worker
// of a sweep) may read the same one.
func Default() *Catalog { return defaultCatalog() }

var defaultCatalog = sync.OnceValue(func() *Catalog {
	c, err := Parse(strings.NewReader(usEast1), "us-east-1")
	if err != nil {
		panic("catalog: embedded data is corrupt: " + err.Error())
	}
	return c
})

// Lookup returns the named type.
func (c *Catalog) Lookup(name string) (InstanceType, bool) {
	i, ok := slices.BinarySearchFunc(c.types, name, func(t InstanceType, n string) int { return strings.Compare(t.Name, n) })
	if !ok {
		return InstanceType{}, false
	}
	return c.types[i], true
}

// Names returns every type name in order.
func (c *Catalog) Names() []string {
	out := make([]string, len(c.types))
	for i, t := range c.types {
		out[i] = t.Name
	}
	return out
}

// Len is the number of types.
func (c *Catalog) Len() int { return len(c.types) }

// Parse reads a catalog CSV: '#' comment lines (the first ones give the
// source), a header naming at least instance_type, family, size, vcpu,
// memory_mib, arch, max_enis, ipv4_per_eni, trunking_compatible and
// on_demand_usd_per_hour, then one type per line.
func Parse(r io.Reader, region string) (*Catalog, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("catalog: header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, need := range []string{"instance_type", "family", "size", "vcpu", "memory_mib", "arch", "max_enis", "ipv4_per_eni", "trunking_compatible", "on_demand_usd_per_hour"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("catalog: header has no column %q", need)
		}
	}
	c := &Catalog{Region: region}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("catalog: %w", err)
		}
		line, _ := cr.FieldPos(0)
		t, err := parseRow(rec, col)
		if err != nil {
			return nil, fmt.Errorf("catalog: line %d: %w", line, err)
		}
		c.types = append(c.types, t)
	}
	slices.SortFunc(c.types, func(a, b InstanceType) int { return strings.Compare(a.Name, b.Name) })
	return c, nil
}

func parseRow(rec []string, col map[string]int) (InstanceType, error) {
	get := func(k string) string { return rec[col[k]] }
	var errs []string
	atoi := func(k string) int {
		v, err := strconv.Atoi(get(k))
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: want an integer, found %q", k, get(k)))
		}
		return v
	}
	t := InstanceType{
		Name:       get("instance_type"),
		Family:     get("family"),
		Size:       get("size"),
		VCPU:       atoi("vcpu"),
		MemoryMiB:  int64(atoi("memory_mib")),
		Arch:       ecsArch(get("arch")),
		MaxENIs:    atoi("max_enis"),
		IPv4PerENI: atoi("ipv4_per_eni"),
		Trunking:   get("trunking_compatible") == "true",
	}
	if _, ok := col["gpus"]; ok && get("gpus") != "" {
		t.GPUs = atoi("gpus")
	}
	p, err := strconv.ParseFloat(get("on_demand_usd_per_hour"), 64)
	if err != nil {
		errs = append(errs, fmt.Sprintf("on_demand_usd_per_hour: want a number, found %q", get("on_demand_usd_per_hour")))
	}
	t.PriceUSDPerHour = p
	if len(errs) > 0 {
		return t, fmt.Errorf("%s: %s", t.Name, strings.Join(errs, "; "))
	}
	return t, nil
}

// ecsArch maps the catalog's Kubernetes architecture names to ECS's
// ecs.cpu-architecture values.
func ecsArch(k8s string) string {
	if k8s == "amd64" {
		return "x86_64"
	}
	return k8s
}

// Suggest returns up to n catalog names closest to name, for "did you mean".
func (c *Catalog) Suggest(name string, n int) []string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	for _, t := range c.types {
		cs = append(cs, cand{t.Name, EditDistance(name, t.Name)})
	}
	slices.SortStableFunc(cs, func(a, b cand) int { return a.d - b.d })
	var out []string
	for _, x := range cs[:min(n, len(cs))] {
		if x.d <= max(2, len(name)/3) {
			out = append(out, x.name)
		}
	}
	return out
}

// EditDistance is the Levenshtein distance between a and b, for "did you
// mean" hints (Suggest here, misspelt keys and names in scenarios).
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
