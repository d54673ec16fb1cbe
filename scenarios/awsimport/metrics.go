package awsimport

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The CloudWatch series becomes a rate trace: a CSV of "timestamp,value"
// rows, RFC 3339 in UTC, sorted by time (get-metric-data prints newest
// first, get-metric-statistics in no order), that [services.load] pattern =
// "trace" reads.

// timeLayouts are the forms AWS prints a time in; a missing offset is UTC
// (the CLI prints UTC).
var timeLayouts = []string{
	time.RFC3339Nano,                     // 2026-11-30T10:00:00.123Z, +00:00
	"2006-01-02T15:04:05.999999999Z0700", // +0000
	"2006-01-02T15:04:05.999999999",      // no offset
}

// parseTime reads a timestamp string ("2026-11-30T10:00:00Z",
// "2026-11-30 10:00:00", with or without fraction and offset) or a number
// of seconds since 1970 (how the CLI prints CreationTime).
func parseTime(v *value) (time.Time, error) {
	switch v.kind {
	case kNumber:
		f, err := strconv.ParseFloat(v.num.String(), 64)
		if err != nil || f < 0 || f > 1e11 {
			return time.Time{}, errors.New("out of range")
		}
		whole, frac, _ := strings.Cut(v.num.String(), ".")
		if sec, err := strconv.ParseInt(whole, 10, 64); err == nil && len(frac) <= 9 && !strings.ContainsAny(frac, "eE") {
			ns, _ := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
			return time.Unix(sec, ns).UTC(), nil
		}
		sec, fr := math.Modf(f)
		return time.Unix(int64(sec), int64(math.Round(fr*1e9))).UTC(), nil
	case kString:
		return parseTimeString(v.str)
	}
	return time.Time{}, errors.New("not a time")
}

func parseTimeString(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	s = strings.Replace(s, " ", "", 1) // "10:00:00 +00:00"
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not a time: %q", s)
}

// point is one datapoint.
type point struct {
	at    time.Time
	value float64
}

// statistics are get-metric-statistics' value keys, in the order taken
// when a datapoint holds several.
var statistics = []string{"Sum", "Average", "Maximum", "Minimum", "SampleCount"}

// metrics reads the first CloudWatch series given; later ones are listed as
// not imported.
func (im *importer) metrics() {
	var pts []point
	var from *doc
	label, stat := "", ""
	taken := func() bool { return from != nil }
	for _, d := range im.docs[MetricData] {
		r := root(d)
		r.state("Messages", "NextToken")
		for _, m := range r.objects("MetricDataResults") {
			if taken() {
				m.whole("a second series: the first (by file name, then order) is the load trace", false)
				continue
			}
			id, lab := m.str("Id"), m.str("Label")
			m.state("StatusCode")
			ts, okT := m.get("Timestamps")
			vs, okV := m.get("Values")
			if !okT || !okV || ts.v.kind != kArray || vs.v.kind != kArray || len(ts.v.arr) != len(vs.v.arr) {
				m.bad(m, "Timestamps and Values arrays of the same length")
				continue
			}
			if len(ts.v.arr) == 0 {
				m.whole("a series without datapoints", false)
				continue
			}
			for i := range ts.v.arr {
				t, err := parseTime(ts.v.arr[i])
				if err != nil {
					m.bad(node{d: d, v: ts.v.arr[i], path: fmt.Sprintf("%s[%d]", ts.path, i)}, "a time as AWS prints it (2026-11-30T10:00:00Z, 2026-11-30 10:00:00)")
					continue
				}
				vn := node{d: d, v: vs.v.arr[i], path: fmt.Sprintf("%s[%d]", vs.path, i)}
				f, err := strconv.ParseFloat(vn.v.num.String(), 64)
				if vn.v.kind != kNumber || err != nil || math.IsInf(f, 0) {
					m.bad(vn, "a finite number")
					continue
				}
				pts = append(pts, point{t, f})
			}
			from, label = d, cmpOr(lab, id)
		}
	}
	for _, d := range im.docs[MetricStatistics] {
		r := root(d)
		if taken() {
			r.whole("a second series: the first (by file name, then order) is the load trace", false)
			continue
		}
		label = r.str("Label")
		var units []string
		var dps []node = r.objects("Datapoints")
		for _, p := range dps {
			c, ok := p.get("Timestamp")
			if !ok {
				p.bad(p, "a datapoint with a Timestamp")
				continue
			}
			t, err := parseTime(c.v)
			if err != nil {
				p.bad(c, "a time as AWS prints it (2026-11-30T10:00:00Z, 2026-11-30 10:00:00)")
				continue
			}
			if u, ok := p.get("Unit"); ok && u.v.kind == kString && !slices.Contains(units, u.v.str) {
				units = append(units, u.v.str)
			}
			found := false
			for _, s := range statistics {
				if f, ok := p.float(s); ok && !found {
					stat, found = s, true
					pts = append(pts, point{t, f})
				} else if ok {
					p.notModelled(s, "one statistic per datapoint is the load: "+stat)
				}
			}
			p.notModelled("ExtendedStatistics", "percentiles are not a rate")
			if !found {
				p.bad(p, "a datapoint with one of "+strings.Join(statistics, ", "))
			}
		}
		if len(dps) > 0 {
			from = d
		}
		if len(units) > 0 {
			ds, _ := r.get("Datapoints")
			d.notes = append(d.notes, Unmapped{File: d.file, Line: ds.v.line, Path: "Datapoints[].Unit",
				Reason: strings.Join(units, ", ") + ": the trace holds the values as CloudWatch gave them", State: true})
		}
	}
	if from == nil || len(pts) == 0 {
		return
	}
	slices.SortStableFunc(pts, func(a, b point) int { return a.at.Compare(b.at) })
	uniq := pts[:1]
	for _, p := range pts[1:] {
		if p.at.Equal(uniq[len(uniq)-1].at) {
			im.warnAt(from.file, fmt.Sprintf("two datapoints at %s: the first kept", p.at.Format(time.RFC3339)))
			continue
		}
		uniq = append(uniq, p)
	}
	pts = uniq
	tr := &Trace{File: "traces/load.csv", Points: len(pts), First: pts[0].at, Last: pts[len(pts)-1].at, Label: label, Statistic: stat, Period: time.Minute}
	if len(pts) > 1 {
		gaps := make([]time.Duration, len(pts)-1)
		for i := range gaps {
			gaps[i] = pts[i+1].at.Sub(pts[i].at)
		}
		slices.Sort(gaps)
		tr.Period = gaps[len(gaps)/2]
	}
	var b bytes.Buffer
	b.WriteString("timestamp,value\n")
	for _, p := range pts {
		fmt.Fprintf(&b, "%s,%s\n", p.at.Format(time.RFC3339Nano), strconv.FormatFloat(p.value, 'g', -1, 64))
	}
	tr.CSV = b.Bytes()
	im.files[tr.File] = tr.CSV
	im.sc.Trace = tr
	im.traceDoc = from
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
