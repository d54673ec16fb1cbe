package sweep

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fleetsim/fleetsim/scenarios"
)

// checkOverrides reports the problems that belong to a key or a value
// whatever the rest of the variant: a key the scenario does not have (with a
// "did you mean" hint), a path that matches no list entry, and a value whose
// TOML type is not the key's. Each override is applied on top of the ones
// before it (a fixed override on the earlier fixed ones, an axis value on all
// of them), so that a problem is reported once for its key or its value
// rather than once per variant, and named by the key as the user wrote it.
// Problems that depend on the combination (min_size above max_size) are the
// variant pass's.
func checkOverrides(spec Spec, sources *sources) scenarios.Problems {
	var out scenarios.Problems
	for i, o := range spec.Set {
		out = append(out, keyProblems(spec, sources, spec.Set[:i], o)...)
	}
	if len(out) > 0 {
		return dedupe(out)
	}
	for _, ax := range spec.Axes {
		for _, v := range ax.Values {
			out = append(out, keyProblems(spec, sources, spec.Set, Override{Key: ax.Key, Path: ax.Path, Value: v})...)
		}
	}
	return dedupe(out)
}

// keyProblems returns the key and type problems o adds to the scenario with
// the overrides before it applied.
func keyProblems(spec Spec, sources *sources, before []Override, o Override) scenarios.Problems {
	_, _, had := sources.of(before)
	_, _, got := sources.of(append(slices.Clip(before), o))
	known := map[string]bool{}
	for _, p := range had {
		p.File = ""
		known[p.Error()] = true
	}
	var fresh scenarios.Problems
	for _, p := range got {
		q := p
		q.File = ""
		if !known[q.Error()] {
			fresh = append(fresh, p)
		}
	}
	var out scenarios.Problems
	var unknown *scenarios.Problem // the outermost unknown key: clustr, not clustr.name below it
	for i, p := range fresh {
		switch {
		case p.File == spec.Base.File && p.Key == o.Key: // Apply's: a path that matches nothing
			out = append(out, p)
		case p.Got == "unknown key":
			if unknown == nil || strings.Count(p.Key, ".") < strings.Count(unknown.Key, ".") {
				unknown = &fresh[i]
			}
		}
	}
	if unknown != nil {
		out = append(out, unknownKey(spec, o, *unknown))
	}
	return out
}

// unknownKey rewrites the validator's "unknown key" for override o: the
// segment of o's path that is unknown, the table it is not a key of, and a
// hint. The validator's key has as many segments as o's path up to the
// unknown one (it names list entries, but keeps the dots of none); a longer
// one is a key inside o's value (an inline table).
func unknownKey(spec Spec, o Override, p scenarios.Problem) scenarios.Problem {
	n := strings.Count(p.Key, ".") + 1
	if n > len(o.Path) {
		return scenarios.Problem{File: spec.Base.File + " with " + o.String(), Key: o.Key,
			Got: "the value has an unknown key " + p.Key, Hint: p.Hint}
	}
	seg := o.Path[n-1]
	parent := "the scenario"
	if n > 1 {
		parent = strings.Join(o.Path[:n-1], ".")
	}
	hint := p.Hint // the validator's, from the keys the schema allows there
	if hint == "" {
		hint = strings.TrimSuffix(didYouMean(seg, keysAt(spec, o.Path[:n-1])), " ")
	}
	return scenarios.Problem{File: spec.Base.File, Key: o.Key, Got: fmt.Sprintf("unknown key %q in %s", seg, parent), Hint: hint}
}

// keysAt lists the keys the base scenario's table at path has, sorted; none
// when the path does not lead to a table.
func keysAt(spec Spec, path []string) []string {
	doc, err := decodeDoc(spec.Base.Source)
	if err != nil {
		return nil
	}
	var cur any = doc
	for _, seg := range path {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[seg]
		case []map[string]any:
			list := make([]any, len(c))
			for j := range c {
				list[j] = c[j]
			}
			j, err := entry(list, seg, "", "")
			if err != nil {
				return nil
			}
			cur = c[j]
		default:
			return nil
		}
	}
	m, ok := cur.(map[string]any)
	if !ok {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
