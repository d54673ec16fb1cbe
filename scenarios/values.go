package scenarios

import (
	"errors"
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
//     gives; a local date is what it wants, but it needs a date.
//
// It works on the decoded structs rather than key by key, so that a key added
// to the schema is checked without anyone remembering to.
func (v *validator) checkValues() {
	v.walkValues(reflect.ValueOf(v.f).Elem(), nil, "")
}

var dateTimeType = reflect.TypeFor[DateTime]()

func (v *validator) walkValues(x reflect.Value, path []string, calendar string) {
	switch x.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !x.IsNil() {
			v.walkValues(x.Elem(), path, calendar)
		}
	case reflect.Slice, reflect.Array:
		for i := range x.Len() {
			v.walkValues(x.Index(i), append(slices.Clone(path), strconv.Itoa(i)), calendar)
		}
	case reflect.Map:
		keys := x.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			v.walkValues(x.MapIndex(k), append(slices.Clone(path), k.String()), calendar)
		}
	case reflect.Float32, reflect.Float64:
		if f := x.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			v.badValue(path, "a finite number", tomlFloat(f), "")
		}
	case reflect.Struct:
		if x.Type() == dateTimeType {
			v.checkTime(path, x.Interface().(DateTime).Time, calendar)
			return
		}
		t := x.Type()
		for i := range t.NumField() {
			if tag := t.Field(i).Tag.Get("toml"); tag != "" && t.Field(i).IsExported() {
				v.walkValues(x.Field(i), append(slices.Clone(path), tag), t.Field(i).Tag.Get("calendar"))
			}
		}
	}
}

// badValue records a problem found by checkValues. The key's own range
// checks would only repeat it (or, for a NaN, stay silent), so Parse keeps
// this problem and drops the others of the same key.
func (v *validator) badValue(path []string, want, got, hint string) {
	pr := Problem{File: v.file, Line: v.loc.line(path), Key: v.display(path), Want: want, Got: got, Hint: hint}
	v.problems = append(v.problems, pr)
	if v.owned == nil {
		v.owned = map[string]Problem{}
	}
	v.owned[pr.Key] = pr
}

// rejected reports whether checkValues found path's value unusable.
func (v *validator) rejected(path []string) bool {
	_, ok := v.owned[v.display(path)]
	return ok
}

// dropRepeats removes the problems of a key checkValues already reported,
// but for checkValues' own.
func (v *validator) dropRepeats() {
	v.problems = slices.DeleteFunc(v.problems, func(p Problem) bool {
		own, ok := v.owned[p.Key]
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
func (v *validator) checkTime(path []string, t time.Time, calendar string) {
	var written, kind string
	switch t.Location().String() {
	case localDateTime:
		written, kind = t.Format("2006-01-02T15:04:05.999999999"), "a local date-time"
	case localDate:
		written, kind = t.Format("2006-01-02"), "a local date"
	case localTime:
		written, kind = t.Format("15:04:05.999999999"), "a local time"
	default:
		return
	}
	if calendar == "day" {
		if kind == "a local time" {
			v.badValue(path, "a date such as 2026-12-25", written+", a time of day", "")
		}
		return
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
