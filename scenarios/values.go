package scenarios

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// checkValues walks the whole decoded scenario, every key of every table and
// list entry, and reports the values that no range check can be trusted
// with, before anything reads them:
//
//   - a float that is not finite: TOML has nan, inf and -inf, and a NaN fails
//     every comparison, so "rate >= 0" lets it through;
//   - a local date-time, date or time (no offset) for an instant: the TOML
//     decoder reads it in the machine's time zone, so the same file would
//     start at a different instant on another machine. A key tagged
//     calendar:"day" names a calendar day, read in a time zone the scenario
//     gives; a local date is what it wants, but it needs a date;
//   - a value past its key's bound. Every count, rate, size and duration of
//     the schema carries one in its tags (a test checks that each does):
//     max:"N" (and min:"N" where no range check of its own says more), a
//     duration or size as the key writes one ("8784h", "100GiB"); tiny:"X"
//     refuses a positive float below X, too small to mean anything (a
//     sigma of 5e-300); maxitems:"N" bounds a list or table; a string is
//     at most maxlen:"N" bytes (4096 unless tagged). why:"..." says whose
//     bound it is (an AWS limit); without it the bound is fleetsim's;
//   - a date-time outside 1970-01-01 to 2199-12-31, the years a run's
//     calendar, its outputs and Go's nanosecond clock all hold.
//
// It works on the decoded structs rather than key by key, so that a key added
// to the schema is checked without anyone remembering to.
func (v *validator) checkValues() {
	v.walkValues(reflect.ValueOf(v.f).Elem(), nil, "")
}

var (
	dateTimeType  = reflect.TypeFor[DateTime]()
	durationType  = reflect.TypeFor[Duration]()
	byteSizeType  = reflect.TypeFor[ByteSize]()
	bandwidthType = reflect.TypeFor[Bandwidth]()
)

// defaultMaxLen bounds a string whose key gives no maxlen.
const defaultMaxLen = 4096

// defaultMaxItems bounds a list or table whose key gives no maxitems.
const defaultMaxItems = 100_000

// The instants a date-time may name.
var (
	earliestInstant = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	latestInstant   = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

func (v *validator) walkValues(x reflect.Value, path []string, tag reflect.StructTag) {
	switch x.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !x.IsNil() {
			v.walkValues(x.Elem(), path, tag)
		}
	case reflect.Slice, reflect.Array:
		if !v.checkItems(path, x.Len(), tag) {
			return
		}
		for i := range x.Len() {
			v.walkValues(x.Index(i), append(slices.Clone(path), strconv.Itoa(i)), tag)
		}
	case reflect.Map:
		if !v.checkItems(path, x.Len(), tag) {
			return
		}
		keys := x.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			v.walkValues(x.MapIndex(k), append(slices.Clone(path), k.String()), tag)
		}
	case reflect.Float32, reflect.Float64:
		if f := x.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			v.badValue(path, "a finite number", tomlFloat(f), "")
		} else {
			v.checkFloat(path, f, tag)
		}
	case reflect.Int, reflect.Int64:
		v.checkInt(path, x.Int(), tag)
	case reflect.String:
		if n := tagInt(tag, "maxlen", defaultMaxLen); len(x.String()) > n {
			v.badValue(path, fmt.Sprintf("a string of at most %d bytes", n), fmt.Sprintf("%d bytes", len(x.String())), "")
		}
	case reflect.Struct:
		v.walkStruct(x, path, tag)
	}
}

func (v *validator) walkStruct(x reflect.Value, path []string, tag reflect.StructTag) {
	switch x.Type() {
	case dateTimeType:
		t := x.Interface().(DateTime).Time
		if v.checkTime(path, t, tag.Get("calendar")) && (t.Before(earliestInstant) || !t.Before(latestInstant)) {
			v.badValue(path, "a date-time from 1970-01-01T00:00:00Z to 2199-12-31T23:59:59Z", t.Format(time.RFC3339Nano), "")
		}
		return
	case durationType:
		if d := x.Interface().(Duration); d.Set {
			v.checkBound(path, float64(d.Duration), d.Duration.String(), tag, parseDurationBound)
		}
		return
	case byteSizeType:
		if s := x.Interface().(ByteSize); s.Set {
			v.checkBound(path, float64(s.Bytes), fmt.Sprintf("%d bytes", s.Bytes), tag, parseSizeBound)
		}
		return
	case bandwidthType:
		if bw := x.Interface().(Bandwidth); bw.BytesPerSecond != 0 {
			v.checkBound(path, float64(bw.BytesPerSecond), fmt.Sprintf("%d bytes/s", bw.BytesPerSecond), tag, parseBandwidthBound)
		}
		return
	}
	t := x.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if name := tagName(f, "toml"); name != "" && f.IsExported() {
			v.walkValues(x.Field(i), append(slices.Clone(path), name), f.Tag)
		}
	}
}

// checkItems bounds a list's or table's length by its key's maxitems.
func (v *validator) checkItems(path []string, n int, tag reflect.StructTag) bool {
	if limit := tagInt(tag, "maxitems", defaultMaxItems); n > limit {
		v.badValue(path, fmt.Sprintf("at most %d entries%s", limit, why(tag)), strconv.Itoa(n), "")
		return false // its entries are not read
	}
	return true
}

func (v *validator) checkInt(path []string, n int64, tag reflect.StructTag) {
	v.checkBound(path, float64(n), strconv.FormatInt(n, 10), tag, parseNumberBound)
}

func (v *validator) checkFloat(path []string, f float64, tag reflect.StructTag) {
	if tiny := tag.Get("tiny"); tiny != "" {
		if t, err := strconv.ParseFloat(tiny, 64); err == nil && f > 0 && f < t {
			v.outOfBounds(path, fmt.Sprintf("0 or at least %s (a smaller value means nothing to simulate)", tiny), tomlFloat(f))
			return
		}
	}
	v.checkBound(path, f, tomlFloat(f), tag, parseNumberBound)
}

// checkBound applies a key's min and max tags to its value x (written got).
func (v *validator) checkBound(path []string, x float64, got string, tag reflect.StructTag, parse func(string) (float64, bool)) {
	lo, hasLo := parse(tag.Get("min"))
	hi, hasHi := parse(tag.Get("max"))
	if (!hasLo || x >= lo) && (!hasHi || x <= hi) {
		return
	}
	var want string
	switch {
	case hasLo && hasHi:
		want = fmt.Sprintf("a value from %s to %s", tag.Get("min"), tag.Get("max"))
	case hasHi:
		want = "at most " + tag.Get("max")
	default:
		want = "at least " + tag.Get("min")
	}
	v.outOfBounds(path, want+why(tag), got)
}

// outOfBounds records a value past its key's bound. A range check of the
// key's own, where there is one, says it better: this problem is kept only
// if no other problem names the key (keepBounds).
func (v *validator) outOfBounds(path []string, want, got string) {
	v.bounds = append(v.bounds, v.problem(path, want, got, ""))
}

// keepBounds adds the bound problems of keys no other problem names.
func (v *validator) keepBounds() {
	named := map[string]bool{}
	for _, p := range v.problems {
		named[ownerKey(p)] = true
	}
	for _, p := range v.bounds {
		if !named[ownerKey(p)] {
			v.problems = append(v.problems, p)
			named[ownerKey(p)] = true
		}
	}
}

// why says whose bound a key's is: AWS's, as its why tag says, or fleetsim's.
func why(tag reflect.StructTag) string {
	if w := tag.Get("why"); w != "" {
		return " (" + w + ")"
	}
	return " (fleetsim's bound)"
}

func tagInt(tag reflect.StructTag, key string, def int) int {
	if n, err := strconv.Atoi(tag.Get(key)); err == nil {
		return n
	}
	return def
}

func parseNumberBound(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func parseDurationBound(s string) (float64, bool) {
	d, err := ParseDuration(s)
	return float64(d), s != "" && err == nil
}

func parseSizeBound(s string) (float64, bool) {
	n, err := parseBytes(s)
	return float64(n), s != "" && err == nil
}

func parseBandwidthBound(s string) (float64, bool) {
	var bw Bandwidth
	return float64(bw.BytesPerSecond), s != "" && bw.UnmarshalText([]byte(s)) == nil
}

// badValue records a problem found by checkValues. The key's own range
// checks would only repeat it (or, for a NaN, stay silent), so Parse keeps
// this problem and drops the others of the same key.
func (v *validator) badValue(path []string, want, got, hint string) {
	pr := v.problem(path, want, got, hint)
	v.problems = append(v.problems, pr)
	if v.owned == nil {
		v.owned = map[string]Problem{}
	}
	v.owned[ownerKey(pr)] = pr
}

// ownerKey names a problem's key in its file.
func ownerKey(p Problem) string { return p.File + "\x00" + p.Key }

// rejected reports whether checkValues found path's value unusable.
func (v *validator) rejected(path []string) bool {
	_, ok := v.owned[ownerKey(v.problem(path, "", "", ""))]
	return ok
}

// dropRepeats removes the problems of a key checkValues already reported,
// but for checkValues' own.
func (v *validator) dropRepeats() {
	v.problems = slices.DeleteFunc(v.problems, func(p Problem) bool {
		own, ok := v.owned[ownerKey(p)]
		return ok && p != own
	})
}

// tomlFloat spells a float as TOML does: nan, inf, -inf.
func tomlFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// The TOML decoder (BurntSushi/toml) gives a local date-time, date or time a
// fixed zone of the machine's offset with one of these names; it is the only
// way to tell them from a value with an offset.
const (
	localDateTime = "datetime-local"
	localDate     = "date-local"
	localTime     = "time-local"
)

// checkTime rejects a TOML value without an offset for an instant, and a
// time of day without a date for a calendar day.
//
// It reports whether the value stands (no problem of its own).
func (v *validator) checkTime(path []string, t time.Time, calendar string) bool {
	var written, kind string
	switch t.Location().String() {
	case localDateTime:
		written, kind = t.Format("2006-01-02T15:04:05.999999999"), "a local date-time"
	case localDate:
		written, kind = t.Format("2006-01-02"), "a local date"
	case localTime:
		written, kind = t.Format("15:04:05.999999999"), "a local time"
	default:
		return true
	}
	if calendar == "day" {
		if kind == "a local time" {
			v.badValue(path, "a date such as 2026-12-25", written+", a time of day", "")
			return false
		}
		return true
	}
	utc := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	hint := "write " + utc.Format(time.RFC3339Nano) + " for UTC, or another offset such as -05:00"
	if kind == "a local time" {
		d := defaultStart
		utc = time.Date(d.Year(), d.Month(), d.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
		hint = "write a date and an offset, such as " + utc.Format(time.RFC3339Nano)
	}
	v.badValue(path, "a date-time with an offset (Z or ±hh:mm)",
		written+", "+kind+", which each machine would read in its own time zone", hint)
	return false
}

// errNotFinite is parseFinite's error for nan and ±inf.
var errNotFinite = errors.New("not a finite number")

// parseFinite reads a number written as text (a size's digits, a JSON task
// definition's "512" or "0.5 vCPU"): strconv.ParseFloat, which also accepts
// NaN, Inf and Infinity, refusing those.
func parseFinite(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errNotFinite
	}
	return f, nil
}
