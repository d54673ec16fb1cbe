package autoscale

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Schedule gives the instants a scheduled action fires: the first strictly
// after after, or false when there is none.
type Schedule interface {
	Next(after time.Time) (time.Time, bool)
}

// ParseError is a fault in a schedule expression. Col is the 1-based column
// of the fault in Expr; Want says what was expected there.
type ParseError struct {
	Expr string
	Col  int
	Want string
	Got  string
}

// Error formats the fault with its column.
func (e *ParseError) Error() string {
	return fmt.Sprintf("autoscale: schedule %q: column %d: want %s, got %q", e.Expr, e.Col, e.Want, e.Got)
}

// ParseSchedule parses an Application Auto Scaling schedule expression:
// at(yyyy-mm-ddThh:mm:ss), rate(N unit) or cron(fields). at and cron are
// read in loc (nil means UTC, AWS's default). A rate schedule counts from
// the zero time until NewScheduledAction anchors it.
//
// AWS (Application Auto Scaling API, PutScheduledAction, Schedule).
func ParseSchedule(expr string, loc *time.Location) (Schedule, error) {
	if loc == nil {
		loc = time.UTC
	}
	kind, body, bodyCol, err := splitExpr(expr)
	if err != nil {
		return nil, err
	}
	switch kind {
	case "at":
		return parseAt(expr, body, bodyCol, loc)
	case "rate":
		return parseRate(expr, body, bodyCol)
	}
	return parseCron(expr, body, bodyCol, loc)
}

// splitExpr checks the kind(...) wrapper and returns the body and the column
// where it starts.
func splitExpr(expr string) (kind, body string, col int, err error) {
	open := strings.IndexByte(expr, '(')
	if open < 0 {
		return "", "", 0, &ParseError{expr, 1, "at(...), rate(...) or cron(...)", expr}
	}
	kind = expr[:open]
	if kind != "at" && kind != "rate" && kind != "cron" {
		return "", "", 0, &ParseError{expr, 1, "at, rate or cron", kind}
	}
	if !strings.HasSuffix(expr, ")") || len(expr) < open+2 {
		return "", "", 0, &ParseError{expr, len(expr) + 1, `")" closing the expression`, ""}
	}
	return kind, expr[open+1 : len(expr)-1], open + 2, nil
}

// AtSchedule fires once.
type AtSchedule struct{ At time.Time }

// Next returns At if it is after after.
func (s AtSchedule) Next(after time.Time) (time.Time, bool) {
	if s.At.After(after) {
		return s.At, true
	}
	return time.Time{}, false
}

func parseAt(expr, body string, col int, loc *time.Location) (Schedule, error) {
	const layout = "dddd-dd-ddTdd:dd:dd"
	if len(body) != len(layout) {
		return nil, &ParseError{expr, col, "yyyy-mm-ddThh:mm:ss", body}
	}
	for i := range len(layout) {
		if layout[i] == 'd' && (body[i] < '0' || body[i] > '9') || layout[i] != 'd' && body[i] != layout[i] {
			return nil, &ParseError{expr, col + i, "yyyy-mm-ddThh:mm:ss", body[i:]}
		}
	}
	num := func(i, n int) int { v, _ := strconv.Atoi(body[i : i+n]); return v }
	y, mo, d, h, mi, sec := num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2)
	checks := [...]struct {
		off, v, lo, hi int
		what           string
	}{
		{5, mo, 1, 12, "a month 01-12"},
		{8, d, 1, 31, "a day of the month"},
		{11, h, 0, 23, "an hour 00-23"},
		{14, mi, 0, 59, "a minute 00-59"},
		{17, sec, 0, 59, "a second 00-59"},
	}
	for _, c := range checks {
		if c.v < c.lo || c.v > c.hi || c.off == 8 && mo >= 1 && mo <= 12 && d > daysIn(y, time.Month(mo)) {
			return nil, &ParseError{expr, col + c.off, c.what, body[c.off : c.off+2]}
		}
	}
	return AtSchedule{At: time.Date(y, time.Month(mo), d, h, mi, sec, 0, loc)}, nil
}

// RateSchedule fires every Every from Anchor: Anchor, Anchor+Every, ...
// Choice: intervals are fixed durations (a day is 24 h, whatever DST does).
type RateSchedule struct {
	Every  time.Duration
	Anchor time.Time
}

// Next returns the first Anchor + k x Every after after (k >= 0); false
// for an Every outside (0, 100 years].
func (s RateSchedule) Next(after time.Time) (time.Time, bool) {
	if s.Every <= 0 || s.Every > maxRate {
		return time.Time{}, false
	}
	if after.Before(s.Anchor) {
		return s.Anchor, true
	}
	anchor := s.Anchor
	const far = 1 << 62 // keep Sub and k x Every clear of Duration overflow
	for after.Sub(anchor) > far {
		anchor = anchor.Add(far / s.Every * s.Every)
	}
	k := after.Sub(anchor)/s.Every + 1
	return anchor.Add(k * s.Every), true
}

// maxRate keeps Anchor arithmetic far from Duration overflow (~292 years).
const maxRate = 100 * 365 * 24 * time.Hour

func parseRate(expr, body string, col int) (Schedule, error) {
	sp := strings.IndexByte(body, ' ')
	if sp <= 0 {
		return nil, &ParseError{expr, col, "a positive integer, a space and a unit", body}
	}
	n, err := strconv.Atoi(body[:sp])
	if err != nil || n <= 0 || body[0] == '+' {
		return nil, &ParseError{expr, col, "a positive integer", body[:sp]}
	}
	unit := map[string]time.Duration{"minute": time.Minute, "minutes": time.Minute,
		"hour": time.Hour, "hours": time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour}[body[sp+1:]]
	if unit == 0 {
		return nil, &ParseError{expr, col + sp + 1, "minute, minutes, hour, hours, day or days", body[sp+1:]}
	}
	if time.Duration(n) > maxRate/unit {
		return nil, &ParseError{expr, col, "a rate of at most 100 years", body[:sp]}
	}
	return RateSchedule{Every: time.Duration(n) * unit}, nil
}

// ScheduledActionConfig is a PutScheduledAction request for one target.
type ScheduledActionConfig struct {
	Name string
	// Schedule is the parsed expression (ParseSchedule, with the action's
	// time zone): the caller parses once, where it can report a bad one.
	Schedule Schedule
	// Start and End bound the action (zero: unbounded).
	Start, End               time.Time
	MinCapacity, MaxCapacity *int // either or both
}

// ScheduledAction sets a target's min and/or max capacity at its schedule's
// instants.
//
// AWS (Application Auto Scaling User Guide, "Schedule recurring scaling
// actions"): with a start time the action runs at that time and then per its
// recurrence; after the end time it stops, and nothing reverts.
type ScheduledAction struct {
	cfg       ScheduledActionConfig
	sched     Schedule
	recurring bool
}

// NewScheduledAction builds the action of c. A rate schedule counts from
// Start, or from created (when the action was put; sim passes the scenario
// start).
func NewScheduledAction(c ScheduledActionConfig, created time.Time) (*ScheduledAction, error) {
	if c.MinCapacity == nil && c.MaxCapacity == nil {
		return nil, fmt.Errorf("scheduled action %q: %w: set MinCapacity, MaxCapacity or both", c.Name, ErrPolicyConfig)
	}
	if c.MinCapacity != nil && c.MaxCapacity != nil && *c.MinCapacity > *c.MaxCapacity || neg(c.MinCapacity) || neg(c.MaxCapacity) {
		return nil, fmt.Errorf("scheduled action %q: %w: need 0 <= MinCapacity <= MaxCapacity", c.Name, ErrPolicyConfig)
	}
	s := c.Schedule
	if s == nil {
		return nil, fmt.Errorf("scheduled action %q: %w: no schedule", c.Name, ErrPolicyConfig)
	}
	_, isAt := s.(AtSchedule)
	if r, ok := s.(RateSchedule); ok {
		r.Anchor = created
		if !c.Start.IsZero() {
			r.Anchor = c.Start
		}
		s = r
	}
	return &ScheduledAction{cfg: c, sched: s, recurring: !isAt}, nil
}

// Name returns the action's name.
func (a *ScheduledAction) Name() string { return a.cfg.Name }

// Capacity returns the min and max the action sets (nil: unchanged).
func (a *ScheduledAction) Capacity() (minCap, maxCap *int) {
	return a.cfg.MinCapacity, a.cfg.MaxCapacity
}

// Next returns the first firing strictly after after, within Start..End.
func (a *ScheduledAction) Next(after time.Time) (time.Time, bool) {
	start, end := a.cfg.Start, a.cfg.End
	var t time.Time
	var ok bool
	if a.recurring && !start.IsZero() && after.Before(start) {
		t, ok = start, true
	} else {
		t, ok = a.sched.Next(after)
	}
	if !ok || !start.IsZero() && t.Before(start) || !end.IsZero() && t.After(end) {
		return time.Time{}, false
	}
	return t, true
}

func neg(p *int) bool { return p != nil && *p < 0 }
