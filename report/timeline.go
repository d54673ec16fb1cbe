package report

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// timelineCap is the most rows the "what happened" timeline has, whatever
// the run's size; the full log is events.csv.
const timelineCap = 40

// timelineBuckets is how many equal spans of the run the timeline spreads
// its rows over: each span shows its most important happenings first.
const timelineBuckets = 10

// timelineGap is the least time between two happenings of one kind that
// keeps them apart: closer ones share a row, with a count and a time range.
// A hundredth of the run, at least five minutes.
func timelineGap(res *sim.Result) des.Time {
	return max(des.At(5*time.Minute), res.End/100)
}

// Ranks of happenings, in the order the timeline keeps them.
const (
	rankFault   = iota // faults, recoveries, failed deployments and launches: always shown
	rankTrouble        // placement failures, SLO breaches, waits for capacity, deployments, operator changes
	rankScaling        // scaling moves, the largest kept
)

// happening is one row of the timeline: an event, or a burst of events of
// one kind (the same key) less than timelineGap apart.
type happening struct {
	key         string
	first, last des.Time
	count       int // events
	rank        int
	weight      float64 // within a rank, larger first; normalised per kind
	what, where string
	detail      string
	family      string   // the where of a merged row of several subjects
	subjects    []string // distinct wheres merged
	parts       int      // happenings merged into this one; 0: itself alone
}

// timelineRow is one row of the timeline table.
type timelineRow struct {
	When, What, Where, Detail, Count string
	Fault                            bool
}

// timeline is the "what happened" table (see whatHappened) and a note on
// how its rows were chosen and what it leaves out.
func timeline(res *sim.Result, faults []Fault) ([]timelineRow, string) {
	shown, left, skipped := whatHappened(res, faults)
	rows := make([]timelineRow, len(shown))
	for i, h := range shown {
		rows[i] = timelineRow{When: when(res, h.first, h.last), What: h.what, Where: h.where, Detail: h.detail, Fault: h.rank == rankFault}
		if h.count > 1 {
			rows[i].Count = "×" + count(h.count)
		}
	}
	if res.EKS != nil {
		return rows, eksTimelineNote(len(rows), left, skipped, timelineGap(res)) // report/eks_timeline.go
	}
	return rows, timelineNote(res, len(rows), left, skipped, timelineGap(res))
}

// whatHappened is what the run's timeline shows: its faults and
// recoveries, failed deployments, bursts of placement failures, SLO
// breaches and the largest scaling moves, ranked, spread over the run and
// at most timelineCap, in time order. left is how many happenings it
// dropped; skipped counts the events of the types it never shows.
func whatHappened(res *sim.Result, faults []Fault) (shown []happening, left int, skipped map[string]int) {
	gap := timelineGap(res)
	src := sourceOf(res)
	var hs []happening
	hs = append(hs, faultHappenings(faults)...)
	hs = append(hs, deploymentHappenings(res, src)...)
	ev, skipped := eventHappenings(res, gap, src)
	hs = append(hs, ev...)
	if res.EKS != nil {
		hs = append(hs, eksHappenings(res, gap, skipped)...) // report/eks_timeline.go
	}
	hs = append(hs, sloHappenings(res, max(gap, res.End/20), src)...)
	if !res.Config.Settings.TaskEvents {
		hs = append(hs, capacityWaits(res, gap)...)
	}
	normalise(hs)
	shown, left = pick(hs, res.End)
	return shown, left, skipped
}

// when is a happening's time, or its range: "Mon 07:51:16 – 09:02:00".
func when(res *sim.Result, first, last des.Time) string {
	if first == last {
		return clock(res, first)
	}
	a, b := res.Config.Start.Add(first.Duration()), res.Config.Start.Add(last.Duration())
	end := b.Format("15:04:05")
	if a.YearDay() != b.YearDay() || a.Year() != b.Year() {
		end = b.Format("Mon 15:04:05")
	}
	return clock(res, first) + " – " + end
}

// timelineNote says how the rows were chosen and what is left out.
func timelineNote(res *sim.Result, rows, left int, skipped map[string]int, gap des.Time) string {
	var b strings.Builder
	if left > 0 {
		fmt.Fprintf(&b, "%s of %d: faults, recoveries and failed deployments first; then bursts of placement failures, SLO breaches and deployments; then the largest scaling moves; spread over the run.",
			plural(rows, "row"), rows+left)
	} else {
		fmt.Fprintf(&b, "The run's faults, deployments, bursts of placement failures, SLO breaches and scaling moves: %s.", plural(rows, "row"))
	}
	fmt.Fprintf(&b, " Events of one kind less than %s apart share a row, with their count and time range; a service's or group's scaling moves one way are one row.", span(gap))
	if len(skipped) > 0 {
		types := slices.SortedFunc(maps.Keys(skipped), func(a, c string) int { return cmp.Or(cmp.Compare(skipped[c], skipped[a]), cmp.Compare(a, c)) })
		var parts []string
		for _, t := range types[:min(len(types), 4)] {
			parts = append(parts, count(skipped[t])+" "+t)
		}
		if rest := types[min(len(types), 4):]; len(rest) > 0 {
			n := 0
			for _, t := range rest {
				n += skipped[t]
			}
			parts = append(parts, count(n)+" other")
		}
		last := len(parts) - 1
		list := parts[last]
		if last > 0 {
			list = strings.Join(parts[:last], ", ") + " and " + parts[last]
		}
		b.WriteString(" Left to events.csv: " + list + " events; instances and tasks show in the figures.")
	}
	if !res.Config.Settings.TaskEvents {
		b.WriteString(" Task events are off ([report] task_events = false): placement failures are not located in time (summary.json counts them by reason, under Services), and waits for capacity come from the per-minute series.")
	}
	return b.String()
}

// normalise divides each happening's weight by a reference of its kind
// (its what): the 90th percentile of the kind's weights, so that the large
// moves of instances and of tasks weigh alike, and a one-off start-up
// spike does not make every later one look small.
func normalise(hs []happening) {
	by := map[string][]float64{}
	for _, h := range hs {
		by[h.what] = append(by[h.what], h.weight)
	}
	ref := map[string]float64{}
	for what, ws := range by {
		slices.Sort(ws)
		ref[what] = ws[min(len(ws)-1, int(math.Ceil(0.9*float64(len(ws))))-1)]
		if ref[what] <= 0 {
			ref[what] = ws[len(ws)-1]
		}
	}
	for i := range hs {
		if r := ref[hs[i].what]; r > 0 {
			hs[i].weight /= r
		}
	}
}

// pick chooses at most timelineCap happenings and orders them by time:
// every fault (merged per kind and span of the run when there are many),
// then the others rank by rank, spread over the run's spans (each span's
// heaviest first, round robin). left is how many it dropped.
func pick(hs []happening, end des.Time) (shown []happening, left int) {
	byTime := func(a, b happening) int {
		return cmp.Or(cmp.Compare(a.first, b.first), cmp.Compare(a.rank, b.rank), cmp.Compare(a.key, b.key))
	}
	if len(hs) <= timelineCap {
		slices.SortStableFunc(hs, byTime)
		return hs, 0
	}
	var faults []happening
	for _, h := range hs {
		if h.rank == rankFault {
			faults = append(faults, h)
		}
	}
	if len(faults) > timelineCap/2 {
		faults = collapse(faults, max(end/timelineBuckets, 1))
	}
	shown = spread(faults, timelineCap, end)
	for r := rankTrouble; r <= rankScaling; r++ {
		var of []happening
		for _, h := range hs {
			if h.rank == r && h.weight >= minWeight {
				of = append(of, h)
			}
		}
		shown = append(shown, spread(of, timelineCap-len(shown), end)...)
	}
	slices.SortStableFunc(shown, byTime)
	left = len(hs)
	for _, h := range shown {
		left -= max(h.parts, 1)
	}
	return shown, left
}

// minWeight is the least weight, of its kind's reference (see normalise),
// that a happening needs to show in a full timeline: a one-minute wait of
// six tasks is no row when the run has waits of hundreds.
const minWeight = 0.05

// spread takes at most n of hs, round robin over the run's spans, each
// span's heaviest first.
func spread(hs []happening, n int, end des.Time) []happening {
	if len(hs) <= n {
		return hs
	}
	buckets := make([][]happening, timelineBuckets)
	for _, h := range hs {
		b := 0
		if end > 0 {
			b = min(int(int64(h.first)*timelineBuckets/int64(end)), timelineBuckets-1)
		}
		buckets[b] = append(buckets[b], h)
	}
	for _, b := range buckets {
		slices.SortStableFunc(b, func(x, y happening) int { return cmp.Compare(y.weight, x.weight) })
	}
	var out []happening
	for round := 0; len(out) < n; round++ {
		took := false
		for _, b := range buckets {
			if round < len(b) && len(out) < n {
				out = append(out, b[round])
				took = true
			}
		}
		if !took {
			break
		}
	}
	return out
}

// collapse merges happenings of one key less than gap apart into one row.
func collapse(hs []happening, gap des.Time) []happening {
	slices.SortStableFunc(hs, func(a, b happening) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.first, b.first)) })
	var out []happening
	for _, h := range hs {
		if n := len(out); n > 0 && out[n-1].key == h.key && h.first-out[n-1].last < gap {
			out[n-1] = merge(out[n-1], h)
			continue
		}
		out = append(out, h)
	}
	return out
}

// merge joins b into a: a's detail for the heavier, the count and range of both.
func merge(a, b happening) happening {
	heavy := a
	if b.weight > a.weight {
		heavy = b
	}
	m := heavy
	m.first, m.last, m.count, m.weight = min(a.first, b.first), max(a.last, b.last), a.count+b.count, a.weight+b.weight
	m.parts = max(a.parts, 1) + max(b.parts, 1)
	m.subjects = append(slices.Clone(a.subjects), b.subjects...)
	if len(m.subjects) == 0 {
		m.subjects = []string{a.where, b.where}
	}
	m.subjects = slices.Compact(slices.Sorted(slices.Values(m.subjects)))
	if len(m.subjects) > 1 {
		m.where = cmp.Or(a.family, a.where) + fmt.Sprintf(" (%d)", len(m.subjects))
	}
	return m
}

// faultHappenings are the faults, and each zone's recovery.
func faultHappenings(faults []Fault) []happening {
	var out []happening
	for _, f := range faults {
		h := happening{key: "fault\x00" + f.Kind + "\x00" + f.Subject, first: f.Start, last: f.Start, rank: rankFault,
			count: max(len(f.Instances), len(f.Tasks), 1), weight: float64(max(len(f.Instances), len(f.Tasks), 1)), detail: touchedText(&f)}
		switch f.Kind {
		case FaultZoneOutage:
			h.what, h.where, h.count = "Zone outage", f.Subject, 1
			h.detail = plural(len(f.Instances), "instance") + " failed; " + h.detail
			if !f.Recovered {
				h.detail += "; not back by the end"
			}
		case FaultInstanceFailure:
			h.what, h.where = "Instance failure", where(&f)
		case FaultSpotInterruption:
			h.what, h.where = "Spot interruption", where(&f)
			if len(f.Instances) > 1 {
				h.what = "Spot interruption storm"
			}
		case FaultFargateSpot:
			h.what, h.where = "Fargate Spot interruption", groupLabel(f.Subject)
			h.detail = plural(len(f.Tasks), "task") + " reclaimed; " + h.detail
		}
		h.family = h.what
		out = append(out, h)
		if f.Kind == FaultZoneOutage && f.Recovered {
			out = append(out, happening{key: "recovered\x00" + f.Subject, first: f.End, last: f.End, count: 1, rank: rankFault, weight: 1,
				what: "Zone recovered", where: f.Subject, detail: "after " + span(f.End-f.Start) + "; groups rebalance into it"})
		}
	}
	return out
}

// touchedText names the services a fault touched and how their healthy
// counts fared.
func touchedText(f *Fault) string {
	switch {
	case !f.Known:
		return "services touched not recorded (task events off)"
	case len(f.Services) == 0:
		return "no service task on it"
	}
	rec := map[string]Recovery{}
	for _, r := range f.Recovery {
		rec[r.Service] = r
	}
	var parts []string
	for _, s := range f.Services[:min(len(f.Services), 3)] {
		r, ok := rec[s]
		switch {
		case !ok:
			parts = append(parts, s)
		case r.Held:
			parts = append(parts, s+" (healthy count held)")
		case !r.Recovered:
			parts = append(parts, fmt.Sprintf("%s (healthy %d → %d, not recovered)", s, r.Before, r.Lowest))
		default:
			parts = append(parts, fmt.Sprintf("%s (healthy %d → %d, back in %s)", s, r.Before, r.Lowest, span(des.At(r.After))))
		}
	}
	s := "touched " + strings.Join(parts, ", ")
	if len(f.Services) > 3 {
		s += fmt.Sprintf(" and %d more services", len(f.Services)-3)
	}
	return s
}

// deploymentHappenings are the deployments after the initial ones (a
// failed one ranks as a fault), and the initial ones in one row.
func deploymentHappenings(res *sim.Result, src func(string) string) []happening {
	var out []happening
	var last des.Time
	initial := 0
	for _, d := range Deployments(res) {
		if d.Initial {
			if d.Finished() {
				initial++
				last = max(last, d.End)
			}
			continue
		}
		h := happening{key: "deploy\x00" + src(d.Service), first: d.Start, last: d.End, count: 1, rank: rankTrouble, weight: 1,
			what: "Deployment", where: d.Service, family: src(d.Service)}
		if d.Rollback {
			h.what = "Rollback"
		}
		h.detail = d.TaskDefinition + ": " + d.Outcome
		if d.Finished() {
			h.detail += " after " + span(d.End-d.Start)
		}
		if d.Reason != "" {
			h.detail += " (" + d.Reason + ")"
		}
		if d.Bad() {
			h.rank, h.what = rankFault, "Deployment failed"
		}
		out = append(out, h)
	}
	if initial > 0 {
		h := happening{key: "initial", first: 0, last: last, count: initial, rank: rankTrouble, weight: 0.5,
			what: "Services started", where: plural(initial, "service"),
			detail: "initial deployments completed by " + clock(res, last)}
		if n := len(res.Config.Services); initial < n {
			h.where = fmt.Sprintf("%d of %d services", initial, n)
			h.detail += fmt.Sprintf("; %d never completed theirs", n-initial)
		}
		out = append(out, h)
	}
	return out
}

// sourceOf maps a service to its source service ("front" for "front-07",
// one of front's copies); any other name to itself.
func sourceOf(res *sim.Result) func(string) string {
	names := make([]string, len(res.Config.Services))
	for i, s := range res.Config.Services {
		names[i] = s.Name
	}
	base := map[string]string{}
	for _, f := range families(names) {
		if f.Copies() {
			for _, i := range f.Members {
				base[names[i]] = f.Base
			}
		}
	}
	return func(name string) string {
		if b, ok := base[name]; ok {
			return b
		}
		return name
	}
}

// burst gathers one key's events less than the gap apart.
type burst struct {
	happening
	reasons, groups map[string]int
	from, to        string // AZ rebalancing: tasks per zone at the start and at the end
	done, stuck     bool   // AZ rebalancing: COMPLETED seen; a placement failure on the way
}

// zoneCounts reads "N tasks in ZONE" out of an Availability Zone
// rebalancing message as "N/N/N" in the message's order.
func zoneCounts(msg string) string {
	var out []string
	for _, part := range strings.Split(msg, " tasks in ") {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		if n, err := strconv.Atoi(f[len(f)-1]); err == nil {
			out = append(out, strconv.Itoa(n))
		}
	}
	return strings.Join(out, "/")
}

// eventHappenings reads the event log's bursts: failed launches and
// scheduled actions, placement and RunTask failures, operator changes;
// and the scaling moves, as legs (see scaleSeries.legs). skipped counts
// the events of the types it leaves to events.csv.
func eventHappenings(res *sim.Result, gap des.Time, src func(string) string) ([]happening, map[string]int) {
	var bs []*burst
	open := map[string]*burst{}
	scales := scaleSet{at: map[string]int{}}
	skipped := map[string]int{}
	add := func(key string, e *schema.Event, rank int, gap des.Time) *burst {
		if b, ok := open[key]; ok && e.At-b.last < gap {
			b.last = e.At
			b.count++
			return b
		}
		b := &burst{happening: happening{key: key, first: e.At, last: e.At, count: 1, rank: rank}, reasons: map[string]int{}, groups: map[string]int{}}
		open[key] = b
		bs = append(bs, b)
		return b
	}
	for i := range res.Events {
		e := &res.Events[i]
		switch e.Type {
		case schema.LaunchFailed:
			b := add("launch\x00"+e.Group, e, rankFault, gap)
			b.what, b.where, b.reasons[e.Reason] = "Launch failed", e.Group, b.reasons[e.Reason]+1
		case schema.ScheduledActionFailed:
			b := add("schedfail\x00"+src(e.Subject), e, rankFault, gap)
			b.what, b.where, b.reasons[e.Reason] = "Scheduled action failed", e.Subject, b.reasons[e.Reason]+1
			b.groups[e.Subject]++
		case schema.PlacementFailed, schema.RunTaskFailed:
			what := "Placement failures"
			if e.Type == schema.RunTaskFailed {
				what = "RunTask failures"
			}
			b := add(what, e, rankTrouble, gap)
			b.what, b.reasons[e.Reason], b.groups[groupLabel(e.Group)] = what, b.reasons[e.Reason]+1, b.groups[groupLabel(e.Group)]+1
		case schema.ScalingActivity, schema.AutoScalingGroupDesiredCapacity:
			scales.add(e, src)
		case schema.UpdateService:
			b := add("update\x00"+src(e.Subject), e, rankTrouble, gap)
			b.what, b.where, b.family = "Desired count set", e.Subject, src(e.Subject)
			b.groups[e.Subject]++
			b.reasons[e.Status+" ("+e.Reason+")"]++
		case schema.ScaleInProtected:
			b := add("protected\x00"+e.Subject, e, rankScaling, gap)
			b.what, b.where, b.reasons[e.Status] = "Scale-in stopped at protected instances", e.Subject, b.reasons[e.Status]+1
		case schema.ServiceRebalancing:
			// One row from STARTED to COMPLETED: how the tasks stood per zone
			// and how they ended.
			key := "rebalance\x00" + e.Subject
			b, ok := open[key]
			if !ok || e.Status == "STARTED" && b.done {
				b = add(key, e, rankTrouble, 0)
				b.what, b.where, b.family = "AZ rebalancing", e.Subject, src(e.Subject)
				b.groups[e.Subject]++
			}
			b.last = e.At
			switch e.Status {
			case "STARTED":
				b.from = zoneCounts(e.Reason)
			case "COMPLETED":
				b.to, b.done = zoneCounts(e.Reason), true
			case "PLACEMENT_FAILURE":
				b.stuck = true
			}
		case schema.ScheduledAction:
			b := add("sched\x00"+src(e.Subject), e, rankScaling, gap)
			b.what, b.where, b.family = "Scheduled action", e.Subject, src(e.Subject)
			b.groups[e.Subject]++
			b.reasons[e.Reason]++
		case schema.ZoneOutage, schema.ZoneRecovered, schema.InstanceFailed, schema.SpotInterruptionNotice,
			schema.DeploymentStarted, schema.DeploymentCompleted, schema.DeploymentFailed:
			// rows of their own from Faults and Deployments
		default:
			if e.Type == schema.TaskStateChange && e.Status == statusStopping && e.Reason == fargateSpotReason {
				continue
			}
			skipped[e.Type]++
		}
	}
	out := make([]happening, len(bs))
	for i, b := range bs {
		out[i] = b.finish()
	}
	for i := range scales.series {
		out = append(out, scales.series[i].legs()...)
	}
	return out, skipped
}

// scaleSet gathers scaling moves into series: one per service (a source
// service's copies together) and one per Auto Scaling group, in the order
// they first moved.
type scaleSet struct {
	series []scaleSeries
	at     map[string]int // key -> index in series
}

// add files a ScalingActivity or AutoScalingGroupDesiredCapacity event.
func (s *scaleSet) add(e *schema.Event, src func(string) string) {
	from, to, ok := change(e.Status)
	if !ok || from == to {
		return
	}
	kind, name := "Service", src(e.Subject)
	if e.Type == schema.AutoScalingGroupDesiredCapacity {
		kind, name = "EC2", e.Subject
	}
	key := kind + "\x00" + name
	i, ok := s.at[key]
	if !ok {
		i = len(s.series)
		s.at[key] = i
		s.series = append(s.series, scaleSeries{key: key, kind: kind, name: name})
	}
	s.series[i].pts = append(s.series[i].pts, scalePoint{at: e.At, subject: e.Subject, from: from, to: to})
}

// change parses a status "OLD->NEW".
func change(s string) (from, to int, ok bool) {
	a, b, found := strings.Cut(s, "->")
	if !found {
		return 0, 0, false
	}
	from, err1 := strconv.Atoi(a)
	to, err2 := strconv.Atoi(b)
	return from, to, err1 == nil && err2 == nil
}

func abs(x int) int { return max(x, -x) }

// finish writes a burst's where, detail and weight.
func (b *burst) finish() happening {
	h := b.happening
	switch {
	case h.what == "AZ rebalancing":
		h.detail = "tasks per zone " + b.from
		if b.done {
			h.detail += " → " + b.to
		} else {
			h.detail += ", not balanced by the end"
		}
		if b.stuck {
			h.detail += "; waited for room in the emptiest zone"
		}
		h.weight, h.count = 1, 1
	case strings.HasSuffix(h.what, "failures"):
		h.where = topCounts(b.groups, 3)
		if len(b.groups) == 1 {
			h.where = slices.Collect(maps.Keys(b.groups))[0]
		}
		h.detail = "tasks that could not be placed, by reason: " + topCounts(b.reasons, 3)
		h.weight = float64(h.count)
	default:
		if len(b.groups) > 1 {
			h.where = h.family + fmt.Sprintf(" (%d services)", len(b.groups))
		}
		h.detail = topCounts(b.reasons, 2)
		h.weight = float64(h.count)
	}
	return h
}

// scalePoint is one change of a desired count (capacity): OLD->NEW.
type scalePoint struct {
	at       des.Time
	subject  string
	from, to int
}

// scaleSeries is the scaling moves of one service, one source service's
// copies together, or one Auto Scaling group, in time order.
type scaleSeries struct {
	key, kind, name string // kind: "Service" or "EC2"
	pts             []scalePoint
}

// swing is the least change of direction, as a share of the series'
// range (its middle 96%), that ends one scaling leg and starts the next:
// smaller reversals (noise, one copy down while the others go up) stay
// inside the leg.
const swing = 0.1

// legs cuts the series' total desired count (its copies' summed) into
// legs that go one way, between turning points where it reverses by at
// least swing of its range (a zigzag): the morning's scale-out, the
// evening's scale-in. Each leg is a happening weighted by its size.
func (s *scaleSeries) legs() []happening {
	seen := map[string]bool{}
	base := 0 // every subject's desired before its first move
	for _, p := range s.pts {
		if !seen[p.subject] {
			seen[p.subject] = true
			base += p.from
		}
	}
	level := make([]int, len(s.pts)+1) // level[i]: after i moves
	level[0] = base
	for i, p := range s.pts {
		level[i+1] = level[i] + p.to - p.from
	}
	// the range without its extreme 2% either side, so that a start-up
	// spike does not hide the daily swings
	sorted := slices.Sorted(slices.Values(level))
	lo2, hi2 := sorted[len(sorted)*2/100], sorted[len(sorted)-1-len(sorted)*2/100]
	h := max(1, int(math.Ceil(swing*float64(hi2-lo2))))
	var out []happening
	piv, ext, lo, hi, dir := 0, 0, 0, 0, 0 // lo, hi: extremes before the first leg
	for i := 1; i < len(level); i++ {
		v := level[i]
		switch {
		case dir == 0:
			switch {
			case v-level[lo] >= h:
				piv, ext, dir = lo, i, 1
			case level[hi]-v >= h:
				piv, ext, dir = hi, i, -1
			}
			if v < level[lo] {
				lo = i
			}
			if v > level[hi] {
				hi = i
			}
		case dir*(v-level[ext]) > 0: // further the same way
			ext = i
		case dir*(level[ext]-v) >= h: // turned
			out = append(out, s.leg(level, piv, ext))
			piv, ext, dir = ext, i, -dir
		}
	}
	if dir != 0 {
		out = append(out, s.leg(level, piv, ext))
	}
	return out
}

// leg is the happening of the moves from level index a to b.
func (s *scaleSeries) leg(level []int, a, b int) happening {
	pts := s.pts[a:b]
	what := s.kind + " scale-out"
	if level[b] < level[a] {
		what = s.kind + " scale-in"
	}
	noun := "desired count"
	if s.kind == "EC2" {
		noun = "desired capacity"
	}
	subjects := map[string]bool{}
	big := 0
	for i, p := range pts {
		subjects[p.subject] = true
		if (p.to-p.from)*(level[b]-level[a]) > 0 && abs(p.to-p.from) > abs(pts[big].to-pts[big].from) {
			big = i
		}
	}
	h := happening{key: "scale\x00" + s.key, first: pts[0].at, last: pts[len(pts)-1].at, count: len(pts), rank: rankScaling,
		weight: float64(abs(level[b] - level[a])), what: what, where: s.name, family: s.name}
	steps := ""
	if len(pts) > 1 {
		steps = " in " + plural(len(pts), "step")
	}
	h.detail = fmt.Sprintf("%s %s → %s%s", noun, count(level[a]), count(level[b]), steps)
	if len(subjects) > 1 || pts[0].subject != s.name {
		p := pts[big]
		h.where = fmt.Sprintf("%s (%s)", s.name, plural(len(subjects), "service"))
		h.detail = fmt.Sprintf("%s %s → %s in all%s; largest step %s %s → %s", noun, count(level[a]), count(level[b]), steps, p.subject, count(p.from), count(p.to))
	}
	return h
}

// topCounts lists the n most frequent keys with their counts: "RESOURCE:CPU
// ×38, RESOURCE:MEMORY ×2".
func topCounts(m map[string]int, n int) string {
	keys := slices.SortedFunc(maps.Keys(m), func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b)) })
	var parts []string
	for _, k := range keys[:min(len(keys), n)] {
		if m[k] > 1 {
			parts = append(parts, k+" ×"+count(m[k]))
		} else {
			parts = append(parts, k)
		}
	}
	if len(keys) > n {
		parts = append(parts, fmt.Sprintf("%d more", len(keys)-n))
	}
	return strings.Join(parts, ", ")
}

// sloHappenings are the SLO breaches the per-minute series show: minutes in
// which a service's mean response exceeded its latency SLO or it dropped
// requests, less than the gap apart in one row.
func sloHappenings(res *sim.Result, gap des.Time, src func(string) string) []happening {
	var out []happening
	for _, sc := range res.Config.Services {
		if sc.Load == nil || sc.Load.LatencySLO <= 0 {
			continue
		}
		resp := column(res, schema.ServiceColumn(sc.Name, schema.ServiceResponseMs))
		drop := column(res, schema.ServiceColumn(sc.Name, schema.ServiceDroppedRPS))
		load := column(res, schema.ServiceColumn(sc.Name, schema.ServiceLoadRPS))
		if resp == nil || drop == nil || load == nil {
			continue
		}
		slo := float64(sc.Load.LatencySLO) / float64(time.Millisecond)
		var cur *happening
		var worst, dropped, offered float64
		minutes := 0
		flush := func() {
			if cur == nil {
				return
			}
			cur.detail = fmt.Sprintf("SLO %s ms missed in %s", num(slo), plural(minutes, "minute"))
			if worst > slo {
				cur.detail += fmt.Sprintf("; mean response up to %s ms", strconv.FormatFloat(worst, 'f', 0, 64))
			}
			if dropped > 0 && offered > 0 {
				cur.detail += fmt.Sprintf("; %s of requests dropped", strconv.FormatFloat(100*dropped/offered, 'f', 1, 64)+"%")
			}
			cur.weight = float64(minutes)
			out = append(out, *cur)
			cur, worst, dropped, offered, minutes = nil, 0, 0, 0, 0
		}
		for k, t := range res.Series.Times {
			bad := (!math.IsNaN(resp[k]) && resp[k] > slo) || (!math.IsNaN(drop[k]) && drop[k] > 0)
			if !bad {
				continue
			}
			if cur != nil && t-cur.last >= gap {
				flush()
			}
			if cur == nil {
				cur = &happening{key: "slo\x00" + src(sc.Name), first: t, rank: rankTrouble, what: "SLO breach", where: sc.Name, family: src(sc.Name)}
			}
			cur.last, minutes = t, minutes+1
			if !math.IsNaN(resp[k]) {
				worst = max(worst, resp[k])
			}
			if !math.IsNaN(drop[k]) && !math.IsNaN(load[k]) {
				dropped, offered = dropped+drop[k], offered+load[k]
			}
		}
		flush()
	}
	return out
}

// capacityWaits are the spells in which tasks waited for capacity
// (PROVISIONING), from the cluster series: with task events off, the only
// trace of placement failures in time.
func capacityWaits(res *sim.Result, gap des.Time) []happening {
	prov := column(res, schema.TasksProvisioning)
	var out []happening
	var cur *happening
	peak, peakAt, minutes := 0.0, des.Time(0), 0
	flush := func() {
		if cur != nil {
			cur.detail = fmt.Sprintf("up to %s PROVISIONING (%s), in %s", plural(int(peak), "task"), clock(res, peakAt), plural(minutes, "minute"))
			cur.weight = peak
			out = append(out, *cur)
		}
		cur, peak, minutes = nil, 0, 0
	}
	for k, t := range res.Series.Times {
		if k >= len(prov) || prov[k] <= 0 {
			continue
		}
		if cur != nil && t-cur.last >= gap {
			flush()
		}
		if cur == nil {
			cur = &happening{key: "waits", first: t, rank: rankTrouble, what: "Tasks waiting for capacity", where: "cluster"}
		}
		cur.last, minutes = t, minutes+1
		if prov[k] > peak {
			peak, peakAt = prov[k], t
		}
	}
	flush()
	return out
}
