package report

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Table bounds: a report stays a readable length whatever the run's size.
const (
	// copiesShown is how many of a source service's copies a table lists
	// (the worst); the rest share one row.
	copiesShown = 3
	// familyCap is the most source services (or single services) a table
	// lists; the rest share one row.
	familyCap = 10
)

// family is a source service and the services a scenario generated from it
// with copies = N, which scenarios names NAME-01 .. NAME-N (zero-padded to
// at least two digits). A service that is no copy is a family of one.
type family struct {
	Base    string // the source service's name, or the service's own
	Members []int  // indexes into the owner list, in scenario order
}

// Copies reports whether the family is generated copies.
func (f family) Copies() bool { return len(f.Members) > 1 }

// copyBase is the source name of a generated copy ("front-07" -> "front"),
// or "" when name does not end in "-" and two or more digits.
func copyBase(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i <= 0 || len(name)-i-1 < 2 {
		return ""
	}
	for _, c := range name[i+1:] {
		if c < '0' || c > '9' {
			return ""
		}
	}
	return name[:i]
}

// families groups names into source services, in the order of each
// family's first member. Names sharing a copy base with no other name stay
// single: "web-01" alone is a service, not a family.
func families(names []string) []family {
	n := map[string]int{}
	for _, name := range names {
		if b := copyBase(name); b != "" {
			n[b]++
		}
	}
	var out []family
	at := map[string]int{}
	for i, name := range names {
		b := copyBase(name)
		if b == "" || n[b] < 2 {
			out = append(out, family{Base: name, Members: []int{i}})
			continue
		}
		j, ok := at[b]
		if !ok {
			j = len(out)
			at[b] = j
			out = append(out, family{Base: b})
		}
		out[j].Members = append(out[j].Members, i)
	}
	return out
}

// folded is what a bounded table shows of a list of owners: for each shown
// family, the members listed one per row, and those folded into the
// family's "N more" row; then the members of families folded into one
// "N more services" row.
type folded struct {
	Families []foldedFamily
	Rest     []int // members of the families left out
	RestFams int   // how many families they are
}

type foldedFamily struct {
	family
	Shown, More []int
}

// fold bounds a table of owners: worse(a, b) < 0 when member a is worse
// than b. Each family of copies lists its copiesShown worst members, worst
// first, and folds the rest; with more than familyCap families, the worst
// familyCap stay (worst first) and the rest fold into one row. A short
// list keeps scenario order.
func fold(fams []family, worse func(a, b int) int) folded {
	worst := func(f family) int { return slices.MinFunc(f.Members, worse) }
	keep := slices.Clone(fams)
	var out folded
	if len(keep) > familyCap {
		slices.SortStableFunc(keep, func(a, b family) int { return worse(worst(a), worst(b)) })
		for _, f := range keep[familyCap:] {
			out.Rest = append(out.Rest, f.Members...)
		}
		out.RestFams = len(keep) - familyCap
		keep = keep[:familyCap]
		slices.Sort(out.Rest)
	}
	for _, f := range keep {
		m := slices.Clone(f.Members)
		slices.SortStableFunc(m, worse)
		ff := foldedFamily{family: f, Shown: m}
		if len(m) > copiesShown+1 { // folding one row into "1 more" saves nothing
			ff.Shown, ff.More = m[:copiesShown], m[copiesShown:]
			slices.Sort(ff.More)
		}
		out.Families = append(out.Families, ff)
	}
	return out
}

// moreLabel names a folded row: "47 more front copies", "12 more services
// (3 source services)".
func moreLabel(base string, n, fams int) string {
	if base != "" {
		return strconv.Itoa(n) + " more " + base + " copies"
	}
	s := strconv.Itoa(n) + " more services"
	if fams != n {
		s += " (" + strconv.Itoa(fams) + " source services)"
	}
	return s
}

// familyName is how a table names a whole family: "front-01 … front-50
// (50 copies)".
func familyName(f family, names []string) string {
	if !f.Copies() {
		return names[f.Members[0]]
	}
	return names[f.Members[0]] + " … " + names[f.Members[len(f.Members)-1]] + " (" + strconv.Itoa(len(f.Members)) + " copies)"
}

// byWorst orders members by a list of keys, each "larger is worse", then
// by index, so that ties keep scenario order.
func byWorst(keys ...func(i int) float64) func(a, b int) int {
	return func(a, b int) int {
		for _, k := range keys {
			if c := cmp.Compare(k(b), k(a)); c != 0 {
				return c
			}
		}
		return cmp.Compare(a, b)
	}
}
