package sweep

import (
	"strconv"
	"strings"
)

// ShortKeys names each varied key for a column header: the fewest trailing
// segments of its path that no other key ends with, and at least one that
// is not a list index (services.web.auto_scaling.target_tracking.0.target_value
// is target_value; services.web.desired_count beside services.api.desired_count
// is web.desired_count; cluster.availability_zones.2 is availability_zones.2).
// A segment holding a dot is quoted, as on the command line. The full keys
// go in the legend beside the table.
func ShortKeys(keys []string) []string {
	paths := make([][]string, len(keys))
	for i, k := range keys {
		p, err := SplitPath(k)
		if err != nil || len(p) == 0 { // not a key this sweep could have run; show it whole
			p = []string{k}
		}
		paths[i] = p
	}
	out := make([]string, len(keys))
	for i, p := range paths {
		n := 1
		for n < len(p) && isIndex(p[len(p)-n]) {
			n++
		}
		for ; n < len(p); n++ {
			if !sharesSuffix(paths, i, n) {
				break
			}
		}
		out[i] = joinPath(p[len(p)-n:])
	}
	return out
}

// sharesSuffix reports whether another path ends with the last n segments
// of paths[i].
func sharesSuffix(paths [][]string, i, n int) bool {
	suffix := strings.Join(paths[i][len(paths[i])-n:], "\x00")
	for j, q := range paths {
		if j != i && len(q) >= n && strings.Join(q[len(q)-n:], "\x00") == suffix {
			return true
		}
	}
	return false
}

func isIndex(seg string) bool {
	_, err := strconv.Atoi(seg)
	return err == nil
}

// joinPath writes path segments as a dotted key, quoting a segment that
// holds a dot or a quote.
func joinPath(segs []string) string {
	out := make([]string, len(segs))
	for i, s := range segs {
		if strings.ContainsAny(s, `." `) {
			s = strconv.Quote(s)
		}
		out[i] = s
	}
	return strings.Join(out, ".")
}
