package autoscale

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/fleetsim/fleetsim/sim/des"
)

// Comparison is a CloudWatch alarm ComparisonOperator.
type Comparison uint8

// The four threshold comparisons CloudWatch metric alarms offer.
const (
	GreaterThanOrEqualToThreshold Comparison = iota
	GreaterThanThreshold
	LessThanThreshold
	LessThanOrEqualToThreshold
)

var comparisonNames = [...]string{
	"GreaterThanOrEqualToThreshold", "GreaterThanThreshold",
	"LessThanThreshold", "LessThanOrEqualToThreshold",
}

// String returns the CloudWatch spelling.
func (c Comparison) String() string {
	if int(c) < len(comparisonNames) {
		return comparisonNames[c]
	}
	return "Comparison(?)"
}

// Breaches reports whether value breaches threshold under c.
func (c Comparison) Breaches(value, threshold float64) bool {
	switch c {
	case GreaterThanOrEqualToThreshold:
		return value >= threshold
	case GreaterThanThreshold:
		return value > threshold
	case LessThanThreshold:
		return value < threshold
	default:
		return value <= threshold
	}
}

// upward reports whether c alarms on high values.
func (c Comparison) upward() bool {
	return c == GreaterThanOrEqualToThreshold || c == GreaterThanThreshold
}

// MissingData is a CloudWatch TreatMissingData setting.
type MissingData uint8

// AWS (CloudWatch User Guide, "Configuring how CloudWatch alarms treat missing
// data"): missing is the default; notBreaching counts missing points as good,
// breaching as bad, ignore keeps the current state.
const (
	TreatMissing MissingData = iota
	TreatNotBreaching
	TreatBreaching
	TreatIgnore
)

var missingNames = [...]string{"missing", "notBreaching", "breaching", "ignore"}

// String returns the CloudWatch spelling.
func (m MissingData) String() string {
	if int(m) < len(missingNames) {
		return missingNames[m]
	}
	return "MissingData(?)"
}

// State is a CloudWatch alarm state. The zero value is INSUFFICIENT_DATA, the
// state of a new alarm.
type State uint8

// Alarm states.
const (
	InsufficientData State = iota
	OK
	InAlarm
)

var stateNames = [...]string{"INSUFFICIENT_DATA", "OK", "ALARM"}

// String returns the CloudWatch spelling.
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "State(?)"
}

// AlarmConfig describes a metric alarm with a 60 s period.
type AlarmConfig struct {
	Name       string
	Comparison Comparison
	Threshold  float64
	// EvaluationPeriods is N, DatapointsToAlarm is M (0 means M = N).
	EvaluationPeriods int
	DatapointsToAlarm int
	// EvaluationRange is how many recent datapoints CloudWatch retrieves;
	// 0 means EvaluationPeriods+2. Choice: AWS's worked example retrieves 5
	// for N = 3 and does not give the rule.
	EvaluationRange int
	TreatMissing    MissingData
}

// ErrAlarmConfig reports an invalid alarm configuration.
var ErrAlarmConfig = errors.New("autoscale: invalid alarm")

func (c AlarmConfig) withDefaults() AlarmConfig {
	if c.DatapointsToAlarm == 0 {
		c.DatapointsToAlarm = c.EvaluationPeriods
	}
	if c.EvaluationRange == 0 {
		c.EvaluationRange = c.EvaluationPeriods + 2
	}
	return c
}

func (c AlarmConfig) validate() error {
	switch {
	case c.EvaluationPeriods < 1:
		return fmt.Errorf("%w %q: EvaluationPeriods %d, want >= 1", ErrAlarmConfig, c.Name, c.EvaluationPeriods)
	case c.DatapointsToAlarm < 1 || c.DatapointsToAlarm > c.EvaluationPeriods:
		return fmt.Errorf("%w %q: DatapointsToAlarm %d, want 1..%d", ErrAlarmConfig, c.Name, c.DatapointsToAlarm, c.EvaluationPeriods)
	case c.EvaluationRange < c.EvaluationPeriods:
		return fmt.Errorf("%w %q: EvaluationRange %d, want >= EvaluationPeriods", ErrAlarmConfig, c.Name, c.EvaluationRange)
	case c.Comparison > LessThanOrEqualToThreshold || c.TreatMissing > TreatIgnore:
		return fmt.Errorf("%w %q: unknown comparison or missing-data treatment", ErrAlarmConfig, c.Name)
	}
	return nil
}

// StateChange records an alarm moving from one state to another, for sim to log.
type StateChange struct {
	At       des.Time
	Alarm    string
	From, To State
	Reason   string
}

// Alarm is a CloudWatch metric alarm evaluated once a minute over one-minute
// datapoints. It starts in INSUFFICIENT_DATA.
type Alarm struct {
	cfg   AlarmConfig
	state State
}

// NewAlarm validates c and returns the alarm.
func NewAlarm(c AlarmConfig) (*Alarm, error) {
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &Alarm{cfg: c}, nil
}

// Name returns the alarm's name.
func (a *Alarm) Name() string { return a.cfg.Name }

// State returns the current state.
func (a *Alarm) State() State { return a.state }

// Config returns the configuration with defaults filled in.
func (a *Alarm) Config() AlarmConfig { return a.cfg }

// Evaluate computes the state from dps (oldest first; only the last
// EvaluationRange are read, absent older ones count as missing) and returns
// the change, if any.
//
// AWS (CloudWatch User Guide, "Alarm evaluation" / "How alarm state is
// evaluated when data is missing"): if at least N real datapoints lie in the
// evaluation range, the most recent N real ones decide and the missing-data
// setting is not used; otherwise missing points are filled per the setting,
// using as few fills as possible.
//
// The reason is written only when the state changes: an alarm is
// evaluated every minute, and most minutes change nothing.
func (a *Alarm) Evaluate(now des.Time, dps []Datapoint) (StateChange, bool) {
	next, why := a.decide(a.window(dps))
	if next == a.state {
		return StateChange{}, false
	}
	ch := StateChange{At: now, Alarm: a.cfg.Name, From: a.state, To: next, Reason: a.reason(why)}
	a.state = next
	return ch, true
}

// tally is what one evaluation found, for its reason.
type tally struct {
	real, breaching, fills int
}

// reason words an evaluation's verdict: what fmt's "%d of the last %d
// datapoints breach %s %g (need %d)" and "%d real datapoints of %d (%d
// breaching), %d missing treated as %s" print, built without fmt (target
// tracking's alarms change state often enough over a week to show).
func (a *Alarm) reason(t tally) string {
	n, m := a.cfg.EvaluationPeriods, a.cfg.DatapointsToAlarm
	b := make([]byte, 0, 96)
	num := func(v int) { b = strconv.AppendInt(b, int64(v), 10) }
	if t.real == n {
		num(t.breaching)
		b = append(b, " of the last "...)
		num(n)
		b = append(b, " datapoints breach "...)
		b = append(b, a.cfg.Comparison.String()...)
		b = append(b, ' ')
		b = strconv.AppendFloat(b, a.cfg.Threshold, 'g', -1, 64)
		b = append(b, " (need "...)
		num(m)
		b = append(b, ')')
		return string(b)
	}
	num(t.real)
	b = append(b, " real datapoints of "...)
	num(n)
	b = append(b, " ("...)
	num(t.breaching)
	b = append(b, " breaching), "...)
	num(t.fills)
	b = append(b, " missing treated as "...)
	b = append(b, a.cfg.TreatMissing.String()...)
	return string(b)
}

// window returns the last EvaluationRange datapoints, padded with missing
// ones at the old end: index 0 oldest.
func (a *Alarm) window(dps []Datapoint) []Datapoint {
	r := a.cfg.EvaluationRange
	if len(dps) >= r {
		return dps[len(dps)-r:]
	}
	out := make([]Datapoint, r-len(dps), r)
	for i := range out {
		out[i].Missing = true
	}
	return append(out, dps...)
}

// decide applies CloudWatch's rules to one evaluation range.
func (a *Alarm) decide(w []Datapoint) (State, tally) {
	n, m := a.cfg.EvaluationPeriods, a.cfg.DatapointsToAlarm
	var real, breaching int
	for i := len(w) - 1; i >= 0 && real < n; i-- {
		if w[i].Missing {
			continue
		}
		real++
		if a.cfg.Comparison.Breaches(w[i].Value, a.cfg.Threshold) {
			breaching++
		}
	}
	if real == n {
		return verdict(breaching >= m), tally{real: real, breaching: breaching}
	}
	fills := n - real
	why := tally{real: real, breaching: breaching, fills: fills}
	switch a.cfg.TreatMissing {
	case TreatBreaching:
		return verdict(breaching+fills >= m), why
	case TreatNotBreaching:
		return verdict(breaching >= m), why
	case TreatIgnore:
		return a.ignoreVerdict(breaching, fills, m), why
	}
	return a.missingVerdict(w, real, breaching, m), why
}

// ignoreVerdict keeps the state unless the real points decide it whatever the
// fills are. Choice consistent with AWS's table (0 - - - - -> OK; - - X - -
// and all missing -> retain the current state).
func (a *Alarm) ignoreVerdict(breaching, fills, m int) State {
	switch {
	case breaching >= m:
		return InAlarm
	case breaching+fills < m:
		return OK
	}
	return a.state
}

// missingVerdict implements treatMissing: all missing -> INSUFFICIENT_DATA.
// AWS (Knowledge Center, "Why did my CloudWatch alarm send me a notification
// after a single breached data point?"): ALARM when the oldest breaching point
// of the trailing run (every more recent point breaching or missing) is at
// least DatapointsToAlarm periods old; otherwise OK.
func (a *Alarm) missingVerdict(w []Datapoint, real, breaching, m int) State {
	if real == 0 {
		return InsufficientData
	}
	if breaching >= m {
		return InAlarm
	}
	oldest := 0 // age of the oldest point in the trailing breaching run
	for i := len(w) - 1; i >= 0; i-- {
		if w[i].Missing {
			continue
		}
		if !a.cfg.Comparison.Breaches(w[i].Value, a.cfg.Threshold) {
			break
		}
		oldest = len(w) - i
	}
	return verdict(oldest >= m)
}

func verdict(alarm bool) State {
	if alarm {
		return InAlarm
	}
	return OK
}
