package autoscale

import (
	"strconv"
	"strings"
	"time"
)

// CronSchedule is an Application Auto Scaling cron expression: Minutes Hours
// Day-of-month Month Day-of-week Year, read in a time zone.
//
// AWS (EventBridge User Guide, "Cron expressions reference", which the
// Application Auto Scaling guide points to): values and wildcards per field:
// Minutes 0-59 , - * /; Hours 0-23 , - * /; Day-of-month 1-31 , - * ? / L W;
// Month 1-12 or JAN-DEC , - * /; Day-of-week 1-7 or SUN-SAT , - * ? L #;
// Year 1970-2199 , - * /. One of Day-of-month and Day-of-week must be ?.
// A 7-field form with leading seconds is accepted; resolution is one minute,
// so it fires at second 0 (choice).
type CronSchedule struct {
	minutes, hours uint64
	months         uint16
	years          [4]uint64 // bit y-1970
	dom            domSpec
	dow            dowSpec
	domAny         bool // Day-of-month is ? (Day-of-week decides)
	loc            *time.Location
}

// domSpec is Day-of-month: plain days, L (last day), LW (last weekday), nW.
type domSpec struct {
	days, nearest uint32 // bit d
	last, lastW   bool
}

// dowSpec is Day-of-week: plain days (bit 1 = SUN), nL (last such day), n#k.
type dowSpec struct {
	days, last uint8
	nthDay     int // 1-7, 0: none
	nth        int // 1-5
}

const (
	firstYear = 1970
	lastYear  = 2199
)

var (
	monthNames = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	dayNames   = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
)

// cronField describes one field's range, names and allowed wildcards.
type cronField struct {
	name     string
	lo, hi   int
	names    []string // names[i] means lo+i
	wildcard string   // allowed among "*?/LW#"
}

var cronFields = [...]cronField{
	{"Minutes", 0, 59, nil, "*/"},
	{"Hours", 0, 23, nil, "*/"},
	{"Day-of-month", 1, 31, nil, "*?/LW"},
	{"Month", 1, 12, monthNames, "*/"},
	{"Day-of-week", 1, 7, dayNames, "*?L#"},
	{"Year", firstYear, lastYear, nil, "*/"},
}

// token is a piece of the expression with its 1-based column.
type token struct {
	s   string
	col int
}

// parseCron parses the body of cron(...) starting at column col.
func parseCron(expr, body string, col int, loc *time.Location) (Schedule, error) {
	fields := splitTokens(body, col, ' ')
	if len(fields) == 7 {
		if _, err := parseList(expr, fields[0], cronField{"Seconds", 0, 59, nil, "*/"}); err != nil {
			return nil, err
		}
		fields = fields[1:]
	}
	if len(fields) != 6 {
		return nil, &ParseError{expr, col, "6 fields (Minutes Hours Day-of-month Month Day-of-week Year) or 7 with leading Seconds", body}
	}
	c := &CronSchedule{loc: loc}
	var err error
	var m, h, mo uint64
	if m, err = parseList(expr, fields[0], cronFields[0]); err != nil {
		return nil, err
	}
	if h, err = parseList(expr, fields[1], cronFields[1]); err != nil {
		return nil, err
	}
	if mo, err = parseList(expr, fields[3], cronFields[3]); err != nil {
		return nil, err
	}
	c.minutes, c.hours, c.months = m, h, uint16(mo)
	if err = c.parseYears(expr, fields[5]); err != nil {
		return nil, err
	}
	if err = c.parseDays(expr, fields[2], fields[4]); err != nil {
		return nil, err
	}
	return c, nil
}

// splitTokens splits s at sep, keeping columns. For ' ' runs of blanks
// separate and empty pieces are dropped; for ',' every piece is kept, so an
// empty list item is reported where it is.
func splitTokens(s string, col int, sep byte) []token {
	var out []token
	if sep != ' ' {
		b := 0
		for i := 0; i <= len(s); i++ {
			if i == len(s) || s[i] == sep {
				out = append(out, token{s[b:i], col + b})
				b = i + 1
			}
		}
		return out
	}
	start := -1
	for i := 0; i <= len(s); i++ {
		blank := i == len(s) || s[i] == ' ' || s[i] == '\t'
		if !blank && start < 0 {
			start = i
		}
		if blank && start >= 0 {
			out = append(out, token{s[start:i], col + start})
			start = -1
		}
	}
	return out
}

// parseYears reads the Year field into a 230-bit set.
func (c *CronSchedule) parseYears(expr string, t token) error {
	f := cronFields[5]
	for _, it := range splitTokens(t.s, t.col, ',') {
		lo, hi, step, err := parseRange(expr, it, f)
		if err != nil {
			return err
		}
		for y := lo; y <= hi; y += step {
			c.years[(y-firstYear)/64] |= 1 << ((y - firstYear) % 64)
		}
	}
	return nil
}

// parseDays reads Day-of-month and Day-of-week, one of which must be ?.
func (c *CronSchedule) parseDays(expr string, dom, dow token) error {
	switch {
	case dom.s == "?" && dow.s == "?":
		return &ParseError{expr, dow.col, "a Day-of-week when Day-of-month is ?", dow.s}
	case dom.s != "?" && dow.s != "?":
		return &ParseError{expr, dow.col, "? in Day-of-week when Day-of-month is set (AWS needs one of them to be ?)", dow.s}
	case dom.s == "?":
		c.domAny = true
		return c.parseDOW(expr, dow)
	}
	return c.parseDOM(expr, dom)
}

// parseList parses a comma list of values, ranges and steps into a bit set.
func parseList(expr string, t token, f cronField) (uint64, error) {
	var set uint64
	for _, it := range splitTokens(t.s, t.col, ',') {
		lo, hi, step, err := parseRange(expr, it, f)
		if err != nil {
			return 0, err
		}
		for v := lo; v <= hi; v += step {
			set |= 1 << v
		}
	}
	return set, nil
}

// parseRange parses *, v, a-b, and any of those followed by /step; v/step
// runs from v to the end of the field.
func parseRange(expr string, it token, f cronField) (lo, hi, step int, err error) {
	s := it.s
	i := strings.IndexByte(s, '/')
	if i < 0 {
		lo, hi, err = parseSpan(expr, it, f)
		return lo, hi, 1, err
	}
	if !strings.Contains(f.wildcard, "/") {
		return 0, 0, 0, &ParseError{expr, it.col + i, f.name + " value or range without /", s}
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil || n <= 0 || n > f.hi-f.lo+1 || s[i+1] == '+' {
		return 0, 0, 0, &ParseError{expr, it.col + i + 1, "a step of 1 to " + strconv.Itoa(f.hi-f.lo+1), s[i+1:]}
	}
	lo, hi, err = parseSpan(expr, token{s[:i], it.col}, f)
	if err == nil && s[:i] != "*" && !strings.Contains(s[:i], "-") {
		hi = f.hi
	}
	return lo, hi, n, err
}

// parseSpan parses *, v or a-b.
func parseSpan(expr string, it token, f cronField) (lo, hi int, err error) {
	s := it.s
	if s == "*" {
		if !strings.Contains(f.wildcard, "*") {
			return 0, 0, &ParseError{expr, it.col, f.name + " value", s}
		}
		return f.lo, f.hi, nil
	}
	if i := strings.IndexByte(s, '-'); i > 0 {
		if lo, err = parseValue(expr, token{s[:i], it.col}, f); err != nil {
			return 0, 0, err
		}
		if hi, err = parseValue(expr, token{s[i+1:], it.col + i + 1}, f); err != nil {
			return 0, 0, err
		}
		if hi < lo {
			return 0, 0, &ParseError{expr, it.col + i + 1, "a range end not before its start " + s[:i], s[i+1:]}
		}
		return lo, hi, nil
	}
	v, err := parseValue(expr, it, f)
	return v, v, err
}

// parseValue parses a number or name within the field's range.
func parseValue(expr string, t token, f cronField) (int, error) {
	want := f.name + " " + strconv.Itoa(f.lo) + "-" + strconv.Itoa(f.hi)
	if f.names != nil {
		want += " or " + f.names[0] + "-" + f.names[len(f.names)-1]
		for i, n := range f.names {
			if strings.EqualFold(t.s, n) {
				return f.lo + i, nil
			}
		}
	}
	v, err := strconv.Atoi(t.s)
	if err != nil || v < f.lo || v > f.hi || t.s == "" || t.s[0] == '+' || t.s[0] == '-' {
		return 0, &ParseError{expr, t.col, want, t.s}
	}
	return v, nil
}

// parseDOM reads Day-of-month items: ranges, L, LW and nW.
func (c *CronSchedule) parseDOM(expr string, t token) error {
	f := cronFields[2]
	for _, it := range splitTokens(t.s, t.col, ',') {
		switch u := asciiUpper(it.s); {
		case u == "L":
			c.dom.last = true
		case u == "LW":
			c.dom.lastW = true
		case strings.HasSuffix(u, "W"):
			v, err := parseValue(expr, token{it.s[:len(it.s)-1], it.col}, f)
			if err != nil {
				return err
			}
			c.dom.nearest |= 1 << v
		default:
			set, err := parseList(expr, it, f)
			if err != nil {
				return err
			}
			c.dom.days |= uint32(set)
		}
	}
	return nil
}

// parseDOW reads Day-of-week items: ranges and names, L (Saturday), nL and
// n#k (only item of its field: AWS allows one expression with #).
func (c *CronSchedule) parseDOW(expr string, t token) error {
	f := cronFields[4]
	items := splitTokens(t.s, t.col, ',')
	for _, it := range items {
		u := asciiUpper(it.s)
		if i := strings.IndexByte(u, '#'); i >= 0 {
			if len(items) > 1 {
				return &ParseError{expr, it.col + i, "a Day-of-week field with # to hold one expression only", t.s}
			}
			return c.parseNth(expr, it, i)
		}
		switch {
		case u == "L":
			c.dow.days |= 1 << 7 // the last day of the week: SAT
		case strings.HasSuffix(u, "L"):
			v, err := parseValue(expr, token{it.s[:len(it.s)-1], it.col}, f)
			if err != nil {
				return err
			}
			c.dow.last |= 1 << v
		default:
			set, err := parseList(expr, it, f)
			if err != nil {
				return err
			}
			c.dow.days |= uint8(set)
		}
	}
	return nil
}

// parseNth reads n#k: the k-th such weekday of the month, k 1-5.
func (c *CronSchedule) parseNth(expr string, it token, i int) error {
	d, err := parseValue(expr, token{it.s[:i], it.col}, cronFields[4])
	if err != nil {
		return err
	}
	k, err := parseValue(expr, token{it.s[i+1:], it.col + i + 1}, cronField{"week of the month", 1, 5, nil, ""})
	if err != nil {
		return err
	}
	c.dow.nthDay, c.dow.nth = d, k
	return nil
}

// Next returns the first minute after after that the expression matches, in
// the schedule's zone. It walks years (1970-2199), months and days, so an
// impossible expression such as cron(0 0 30 FEB ? *) ends with false.
//
// Choice, across daylight-saving changes: a wall time that does not exist
// (spring forward) is skipped; one that happens twice (fall back) fires once,
// at its first instant.
func (c *CronSchedule) Next(after time.Time) (time.Time, bool) {
	if c.loc == nil { // a zero CronSchedule matches nothing, but must not panic
		return time.Time{}, false
	}
	y0, m0, d0 := after.In(c.loc).Date()
	for y := max(y0, firstYear); y <= lastYear; y++ {
		if c.years[(y-firstYear)/64]&(1<<((y-firstYear)%64)) == 0 {
			continue
		}
		for m := time.January; m <= time.December; m++ {
			if c.months&(1<<m) == 0 || y == y0 && m < m0 {
				continue
			}
			dim := daysIn(y, m)
			for d := 1; d <= dim; d++ {
				if y == y0 && m == m0 && d < d0 || !c.dayMatches(y, m, d, dim) {
					continue
				}
				if t, ok := c.firstOnDay(y, m, d, after); ok {
					return t, true
				}
			}
		}
	}
	return time.Time{}, false
}

// firstOnDay returns the first matching wall time of the day after after.
func (c *CronSchedule) firstOnDay(y int, m time.Month, d int, after time.Time) (time.Time, bool) {
	for h := 0; h < 24; h++ {
		if c.hours&(1<<h) == 0 {
			continue
		}
		for mi := 0; mi < 60; mi++ {
			if c.minutes&(1<<mi) == 0 {
				continue
			}
			if t, ok := wallTime(y, m, d, h, mi, c.loc); ok && t.After(after) {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// wallTime returns the first instant showing y-m-d h:mi in loc, and false
// when that wall time is skipped by a zone change.
func wallTime(y int, m time.Month, d, h, mi int, loc *time.Location) (time.Time, bool) {
	t := time.Date(y, m, d, h, mi, 0, 0, loc)
	if !sameWall(t, y, m, d, h, mi) {
		return time.Time{}, false
	}
	for _, back := range [...]time.Duration{2 * time.Hour, time.Hour, 30 * time.Minute} {
		if e := t.Add(-back); sameWall(e, y, m, d, h, mi) {
			return e, true
		}
	}
	return t, true
}

func sameWall(t time.Time, y int, m time.Month, d, h, mi int) bool {
	ty, tm, td := t.Date()
	return ty == y && tm == m && td == d && t.Hour() == h && t.Minute() == mi
}

func (c *CronSchedule) dayMatches(y int, m time.Month, d, dim int) bool {
	if c.domAny {
		return c.dow.matches(y, m, d, dim)
	}
	return c.dom.matches(y, m, d, dim)
}

func (s domSpec) matches(y int, m time.Month, d, dim int) bool {
	if s.days&(1<<d) != 0 || s.last && d == dim || s.lastW && d == lastWeekday(y, m, dim) {
		return true
	}
	for n := max(1, d-2); n <= min(31, d+2); n++ { // nW lands within two days of n
		if s.nearest&(1<<n) != 0 && nearestWeekday(y, m, n, dim) == d {
			return true
		}
	}
	return false
}

func (s dowSpec) matches(y int, m time.Month, d, dim int) bool {
	wd := int(weekday(y, m, d)) + 1 // AWS numbers days 1-7 from Sunday
	return s.days&(1<<wd) != 0 ||
		s.last&(1<<wd) != 0 && d+7 > dim ||
		s.nthDay == wd && (d-1)/7+1 == s.nth
}

// nearestWeekday is nW: the weekday nearest day n, not leaving the month
// (Quartz semantics, which AWS's W follows: 1W on a Saturday is Monday the 3rd).
// Choice: n beyond the month's end never fires.
func nearestWeekday(y int, m time.Month, n, dim int) int {
	if n > dim {
		return -1
	}
	switch weekday(y, m, n) {
	case time.Saturday:
		if n == 1 {
			return 3
		}
		return n - 1
	case time.Sunday:
		if n == dim {
			return n - 2
		}
		return n + 1
	}
	return n
}

func lastWeekday(y int, m time.Month, dim int) int {
	switch weekday(y, m, dim) {
	case time.Saturday:
		return dim - 1
	case time.Sunday:
		return dim - 2
	}
	return dim
}

func weekday(y int, m time.Month, d int) time.Weekday {
	return time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Weekday()
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

// asciiUpper upper-cases ASCII letters only, keeping byte offsets intact
// (strings.ToUpper may change the length of invalid UTF-8).
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
