package sweep

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
)

// Value is one value given on the command line, as TOML: Text is what the
// user wrote (trimmed; a bare word in quotes), V what it decodes to (int64, float64, string, bool,
// time, []any or map[string]any).
type Value struct {
	Text string
	V    any
}

// Display is the value as results.csv and the report show it: a string
// without its quotes, anything else as written.
func (v Value) Display() string {
	if s, ok := v.V.(string); ok {
		return s
	}
	return v.Text
}

// ParseValue decodes one TOML value: 60, 0.5, "2h", true, ["m5.large"].
func ParseValue(text string) (Value, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Value{}, errors.New("empty value")
	}
	if bareWord.MatchString(text) && !isTOMLValue(text) {
		text = `"` + text + `"` // ecs, binpack, m5.large: a string, as a shell user types it
	}
	var doc map[string]any
	md, err := toml.Decode("v = "+text, &doc)
	top := 0 // keys of the document itself; an inline table's keys are below v
	for _, k := range md.Keys() {
		if len(k) == 1 {
			top++
		}
	}
	if err != nil || top != 1 {
		hint := ""
		if !strings.ContainsAny(text, "\"'[{") {
			hint = fmt.Sprintf(` (strings need quotes: "%s"; in a shell, quote the whole argument: 'KEY="%s"')`, text, text)
		}
		return Value{}, fmt.Errorf("%s is not a TOML value%s", text, hint)
	}
	return Value{Text: text, V: doc["v"]}, nil
}

// bareWord is a value given without quotes that can only mean a string: a
// letter, then letters, digits and . _ - : / (orchestrator=ecs,eks;
// field=binpack; instance_types=m5.large). Booleans, inf and nan stay what
// TOML makes of them.
var bareWord = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._:/-]*$`)

func isTOMLValue(text string) bool {
	var doc map[string]any
	_, err := toml.Decode("v = "+text, &doc)
	return err == nil
}

// SplitValues splits V1,V2,... on the commas that are outside brackets,
// braces and quotes, so that ["a","b"],["c"] is two values.
func SplitValues(s string) ([]string, error) {
	var out []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("%s: unbalanced %q", s, c)
			}
		case c == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if quote != 0 || depth != 0 {
		return nil, fmt.Errorf("%s: unclosed quote or bracket", s)
	}
	return append(out, s[start:]), nil
}

// SplitPath splits a dotted key into its segments. A segment may be double
// quoted to hold dots: services."web.v2".desired_count.
func SplitPath(key string) ([]string, error) {
	var segs []string
	rest := strings.TrimSpace(key)
	for {
		var seg string
		if strings.HasPrefix(rest, `"`) {
			end := strings.Index(rest[1:], `"`)
			if end < 0 {
				return nil, fmt.Errorf("key %s: unclosed quote", key)
			}
			seg, rest = rest[1:end+1], rest[end+2:]
			if rest != "" && !strings.HasPrefix(rest, ".") {
				return nil, fmt.Errorf("key %s: want a dot after %q", key, seg)
			}
		} else {
			end := strings.IndexByte(rest, '.')
			if end < 0 {
				end = len(rest)
			}
			seg, rest = rest[:end], rest[end:]
			if seg == "" {
				return nil, fmt.Errorf("key %s: empty segment", key)
			}
		}
		segs = append(segs, seg)
		if rest == "" {
			return segs, nil
		}
		rest = rest[1:] // the dot
		if rest == "" {
			return nil, fmt.Errorf("key %s: ends with a dot", key)
		}
	}
}

// Override is one key of the scenario set to one value.
type Override struct {
	Key   string // dotted path as given
	Path  []string
	Value Value
}

// String is KEY=VALUE as given.
func (o Override) String() string { return o.Key + "=" + o.Value.Text }

// Apply sets the override in a scenario decoded into a generic map.
//
// A segment names a table key, a list entry by its "name" (or, for task
// definitions, "family") or a list entry by its 0-based index. A table the
// file leaves out is created (it may be an optional table such as
// managed_scaling); whether its keys exist is the scenario validator's
// judgement, as for a file. A list entry that matches nothing is an error
// naming the segment and listing the entries there are.
//
// A table created for a segment that is close to a key the table above has
// (a typo: auto_scalng for auto_scaling) is blamed when the rest of the path
// cannot be built under it, with a "did you mean" hint.
func (o Override) Apply(doc map[string]any) error {
	var cur any = doc
	created := -1 // the first segment a table was created for
	createdHint := ""
	for i, seg := range o.Path {
		last := i == len(o.Path)-1
		here := strings.Join(o.Path[:i+1], ".")
		parent := "the scenario"
		if i > 0 {
			parent = strings.Join(o.Path[:i], ".")
		}
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[seg] = o.Value.V
				return nil
			}
			next, ok := c[seg]
			if !ok {
				hint := didYouMean(seg, slices.Sorted(maps.Keys(c)))
				if _, err := strconv.Atoi(o.Path[i+1]); err == nil {
					if created >= 0 && createdHint != "" {
						return unknownTableError(o.Path, created, createdHint)
					}
					return fmt.Errorf("%s: %s has no list %q to index (%sit has: %s)", here, parent, seg, hint, keysOf(c))
				}
				if created < 0 {
					created, createdHint = i, hint
				}
				next = map[string]any{}
				c[seg] = next
			}
			cur = next
		case []map[string]any:
			entries := make([]any, len(c))
			for j := range c {
				entries[j] = c[j]
			}
			j, err := entry(entries, seg, here, parent)
			if err != nil {
				return err
			}
			if last {
				return fmt.Errorf("%s: a whole entry of %s cannot be replaced; name one of its keys", here, parent)
			}
			cur = c[j]
		case []any:
			j, err := entry(c, seg, here, parent)
			if err != nil {
				return err
			}
			if last {
				c[j] = o.Value.V
				return nil
			}
			cur = c[j]
		default:
			if created >= 0 && createdHint != "" {
				return unknownTableError(o.Path, created, createdHint)
			}
			return fmt.Errorf("%s: %s is a value (%v), not a table or a list", here, parent, c)
		}
	}
	return nil
}

// entry finds a list element by index or by its name/family key.
func entry(list []any, seg, here, parent string) (int, error) {
	if j, err := strconv.Atoi(seg); err == nil {
		if j < 0 || j >= len(list) {
			return 0, fmt.Errorf("%s: index %d out of range: %s has %d entries (%s)", here, j, parent, len(list), describe(list))
		}
		return j, nil
	}
	for j, e := range list {
		if m, ok := e.(map[string]any); ok && (m["name"] == seg || m["family"] == seg) {
			return j, nil
		}
	}
	var names []string
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			for _, k := range []string{"name", "family"} {
				if s, ok := m[k].(string); ok {
					names = append(names, s)
					break
				}
			}
		}
	}
	return 0, fmt.Errorf("%s: no entry of %s is named %q (%sthere are: %s)", here, parent, seg, didYouMean(seg, names), describe(list))
}

// unknownTableError blames segment i, a table Apply created because the
// document had no such key, when the path below it could not be built.
func unknownTableError(path []string, i int, hint string) error {
	parent := "the scenario"
	if i > 0 {
		parent = strings.Join(path[:i], ".")
	}
	return fmt.Errorf("%s: %s has no key %q (%s)", strings.Join(path[:i+1], "."), parent, path[i], strings.TrimSuffix(hint, " "))
}

// didYouMean returns `did you mean "X"? ` for the candidate closest to seg
// by edit distance (catalog.EditDistance), when one is close enough: fewer
// edits than half seg's length plus two, the scenario loader's bound. Ties
// go to the first candidate in the order given. "" when none is close.
func didYouMean(seg string, candidates []string) string {
	best, bestD := "", len(seg)/2+2
	for _, c := range candidates {
		if c == seg {
			continue
		}
		if d := catalog.EditDistance(seg, c); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("did you mean %q? ", best)
}

// describe lists a list's entries as index and name: "0 web, 1 api".
func describe(list []any) string {
	if len(list) == 0 {
		return "none"
	}
	parts := make([]string, len(list))
	for j, e := range list {
		parts[j] = strconv.Itoa(j)
		if m, ok := e.(map[string]any); ok {
			for _, k := range []string{"name", "family"} {
				if s, ok := m[k].(string); ok {
					parts[j] += " " + s
					break
				}
			}
		} else {
			parts[j] += fmt.Sprintf(" (%v)", e)
		}
	}
	return strings.Join(parts, ", ")
}

func keysOf(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) == 0 {
		return "no keys"
	}
	return strings.Join(keys, ", ")
}

// ParseOverride parses KEY=VALUE (one value, commas included).
func ParseOverride(arg string) (Override, error) {
	key, text, ok := strings.Cut(arg, "=")
	if !ok {
		return Override{}, fmt.Errorf("%s: want KEY=VALUE", arg)
	}
	path, err := checkKey(key)
	if err != nil {
		return Override{}, err
	}
	v, err := ParseValue(text)
	if err != nil {
		return Override{}, fmt.Errorf("%s: %w", strings.TrimSpace(key), err)
	}
	return Override{Key: strings.TrimSpace(key), Path: path, Value: v}, nil
}

// checkKey splits a key and refuses the seed, which --seeds sets.
func checkKey(key string) ([]string, error) {
	path, err := SplitPath(key)
	if err != nil {
		return nil, err
	}
	if len(path) == 1 && path[0] == "seed" {
		return nil, errors.New("seed cannot be varied or set: --seeds derives each run's seed from the scenario's")
	}
	return path, nil
}
