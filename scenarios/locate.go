package scenarios

import (
	"strconv"
	"strings"
)

// locator maps key paths of a TOML document to the line that defines them, so
// that a problem found after decoding can name its line. Paths index arrays of
// tables and inline arrays by position: services.1.desired_count. It is a
// line-oriented approximation of TOML (enough for the files people write);
// where it cannot tell, the parent's line is used.
type locator struct {
	lines  map[string]int
	counts map[string]int // arrays of tables: entries seen so far
	// texts maps the key of a multi-line string to the line its text
	// starts on (TOML drops a newline right after the opening quotes).
	texts map[string]int
}

func newLocator(src string) *locator {
	l := &locator{lines: map[string]int{}, counts: map[string]int{}, texts: map[string]int{}}
	var table []string // current table path, with indexes
	var openArray []string
	arrayIdx, depth := 0, 0
	closing := "" // inside a multi-line string: its closing quotes
	for n, raw := range strings.Split(src, "\n") {
		lineNo := n + 1
		if closing != "" { // a multi-line string's text is no TOML
			if strings.Contains(raw, closing) {
				closing = ""
			}
			continue
		}
		line := strings.TrimSpace(stripComment(raw))
		if line == "" {
			continue
		}
		if depth > 0 { // inside a multi-line array value
			if strings.HasPrefix(line, "{") || (depth == 1 && !strings.HasPrefix(line, "]")) {
				l.record(append(openArray, strconv.Itoa(arrayIdx)), lineNo)
				arrayIdx++
			}
			depth += bracketDepth(line)
			continue
		}
		switch {
		case strings.HasPrefix(line, "[["):
			table = l.header(strings.Trim(line, "[] "), true)
			l.record(table, lineNo)
		case strings.HasPrefix(line, "["):
			table = l.header(strings.Trim(line, "[] "), false)
			l.record(table, lineNo)
		default:
			key, value, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			path := append(append([]string{}, table...), splitKey(key)...)
			l.record(path, lineNo)
			if v := strings.TrimSpace(value); strings.HasPrefix(v, `"""`) || strings.HasPrefix(v, "'''") {
				quotes, rest := v[:3], v[3:]
				if !strings.Contains(rest, quotes) {
					closing = quotes
					l.texts[strings.Join(path, ".")] = lineNo + 1
					if strings.TrimSpace(rest) != "" {
						l.texts[strings.Join(path, ".")] = lineNo
					}
					continue
				}
			}
			if d := bracketDepth(value); d > 0 {
				depth, openArray, arrayIdx = d, path, 0
			}
		}
	}
	return l
}

// header resolves a table header to an indexed path; arrays of tables get
// their next index.
func (l *locator) header(name string, array bool) []string {
	segs := splitKey(name)
	var path []string
	for i, s := range segs {
		path = append(path, s)
		key := strings.Join(path, ".")
		if i == len(segs)-1 && array {
			path = append(path, strconv.Itoa(l.counts[key]))
			l.counts[key]++
		} else if c, ok := l.counts[key]; ok {
			path = append(path, strconv.Itoa(c-1))
		}
	}
	return path
}

func (l *locator) record(path []string, line int) {
	k := strings.Join(path, ".")
	if _, ok := l.lines[k]; !ok {
		l.lines[k] = line
	}
}

// line returns the line of path or of its nearest located ancestor (0: none).
func (l *locator) line(path []string) int {
	for n := len(path); n > 0; n-- {
		if ln, ok := l.lines[strings.Join(path[:n], ".")]; ok {
			return ln
		}
	}
	return 0
}

func splitKey(k string) []string {
	parts := strings.Split(strings.TrimSpace(k), ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return parts
}

// stripComment drops a # comment that is not inside a string.
func stripComment(s string) string {
	end := len(s)
	scanCode(s, func(i int, c byte) bool {
		if c == '#' {
			end = i
			return false
		}
		return true
	})
	return s[:end]
}

// bracketDepth is the net count of [ over ] outside strings.
func bracketDepth(s string) int {
	d := 0
	scanCode(s, func(_ int, c byte) bool {
		switch c {
		case '[':
			d++
		case ']':
			d--
		}
		return true
	})
	return d
}

// scanCode calls fn for each byte of s outside a quoted string, until fn
// returns false.
func scanCode(s string, fn func(i int, c byte) bool) {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == '\\' && quote == '"':
			i++
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
		case quote == 0:
			if !fn(i, c) {
				return
			}
		}
	}
}
