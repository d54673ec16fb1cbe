package report

import (
	_ "embed"
	"fmt"
	"github.com/fleetsim/fleetsim/sim/ecs"
	"github.com/fleetsim/fleetsim/sim/schema"
	"html/template"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
)

//go:embed report.html.tmpl
var reportTemplate string

// timelineCap is the most rows the notable-events table shows.
const timelineCap = 150

// timelineMerge is how close in time events of one kind must be to share a
// timeline row.
const timelineMerge = 5 * time.Minute

// page is what report.html.tmpl shows. Every string is plain text that
// html/template escapes; only the plots' SVG, made here, is trusted.
type page struct {
	Title, Description, Seed, Start, Duration string
	Cards                                     []card
	Figures                                   []figureView
	PlotsNote                                 string
	Services                                  []serviceRow
	Resilience                                []resilienceRow
	Deployments                               []deploymentRow
	Faults                                    []faultRow
	FaultsNote                                string
	Jobs                                      []jobRow
	Providers                                 []providerRow
	Owners                                    []ownerRow
	Purchases                                 []ownerRow
	Types                                     []typeRow
	Failures                                  []failureRow
	Timeline                                  []timelineRow
	TimelineNote                              string
	Prices                                    []string
	Source                                    string
}

type card struct{ Label, Value, Note string }

type figureView struct {
	ID, Title, Caption string
	SVG                template.HTML
}

type serviceRow struct {
	Name, TaskDef, Desired, Running, Started, Stopped, P50, P95, Max, SLO, Dropped, USD, Share string
	Short                                                                                      bool // running below desired at the end
}

type jobRow struct {
	Name, Submitted, Completed, Running, Failed, P50, P95, Max, USD, Share string
}

type providerRow struct{ Name, Kind, Instances, Tasks, USD, Share string }

type ownerRow struct{ Name, Kind, EC2, Fargate, USD, Share string }

type typeRow struct{ Type, Purchase, Launches, Hours, Rate, USD string }

type failureRow struct{ Reason, Tasks string }

type timelineRow struct{ Time, Type, Subject, Group, Status, Reason, Count string }

// WriteHTML writes the self-contained report: summary cards, the figures'
// SVG inline, tables per service, capacity provider and owner, a timeline of
// notable events and the scenario source. figs are rendered here.
func WriteHTML(w io.Writer, res *sim.Result, cost *Cost, figs []*Figure, source string) error {
	t, err := template.New("report").Parse(reportTemplate)
	if err != nil {
		return fmt.Errorf("report: template: %w", err)
	}
	pg := &page{
		Title: res.Summary.Scenario, Description: res.Summary.Description,
		Seed: strconv.FormatUint(res.Summary.Seed, 10), Start: res.Config.Start.Format("Mon 2 Jan 2006 15:04 MST"),
		Duration: res.End.Duration().String(), Source: source,
	}
	pg.Cards = cards(res, cost)
	for _, f := range figs {
		svg, err := f.SVG()
		if err != nil {
			return err
		}
		pg.Figures = append(pg.Figures, figureView{ID: f.ID, Title: f.Title, Caption: f.Caption, SVG: inlineSVG(svg, f.Title)})
	}
	pg.PlotsNote = plotsNote(res)
	pg.Services, pg.Jobs = ownerTables(res, cost)
	pg.Resilience, pg.Deployments, pg.Faults, pg.FaultsNote = incidentTables(res)
	pg.Providers = providerTable(res, cost)
	pg.Owners, pg.Purchases, pg.Types = costTables(cost)
	for _, r := range slices.Sorted(maps.Keys(res.Summary.PlacementFailures)) {
		pg.Failures = append(pg.Failures, failureRow{r, strconv.Itoa(res.Summary.PlacementFailures[r])})
	}
	pg.Timeline, pg.TimelineNote = timeline(res)
	pg.Prices = priceNotes(&cost.Prices)
	return t.Execute(w, pg)
}

// inlineSVG drops the XML prologue gonum writes, so that the SVG can sit in
// HTML, and labels it for screen readers.
func inlineSVG(svg []byte, title string) template.HTML {
	s := string(svg)
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
	}
	s = strings.Replace(s, "<svg ", `<svg role="img" aria-label="`+template.HTMLEscapeString(title)+`" `, 1)
	return template.HTML(s) // gonum's vgsvg escapes every text it draws
}

// money formats dollars for people: two decimals with thousands separated,
// and "<$0.01" for a positive amount below a cent.
func money(v USD) string {
	x := float64(v)
	if x > 0 && x < 0.005 {
		return "<$0.01"
	}
	s := strconv.FormatFloat(math.Abs(x), 'f', 2, 64)
	whole, frac, _ := strings.Cut(s, ".")
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	sign := ""
	if x < 0 && s != "0.00" {
		sign = "-"
	}
	return sign + "$" + whole + "." + frac
}

// share formats part/total as a percentage.
func share(part, total USD) string {
	if total <= 0 {
		return "–"
	}
	return strconv.FormatFloat(100*float64(part)/float64(total), 'f', 1, 64) + "%"
}

// seconds formats a wait in seconds.
func seconds(s float64) string {
	if s >= 120 {
		return (time.Duration(s * float64(time.Second))).Round(time.Second).String()
	}
	return strconv.FormatFloat(s, 'f', 1, 64) + " s"
}

// nearestRank is the p-quantile of sorted waits (nearest rank, as sim's
// summary computes it).
func nearestRank(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// cards are the summary's headline numbers.
func cards(res *sim.Result, cost *Cost) []card {
	s := res.Summary
	var all []time.Duration
	for _, g := range PlacementWaits(res.Events) {
		all = append(all, g.Waits...)
	}
	slices.Sort(all)
	failures, keeping := 0, 0
	for _, n := range s.PlacementFailures {
		failures += n
	}
	for _, sv := range s.Services {
		if sv.RunningAtEnd >= sv.DesiredAtEnd {
			keeping++
		}
	}
	failNote := "no task ever failed to place"
	if failures > 0 {
		failNote = "tasks that could not be placed at least once"
	}
	return []card{
		{"Total cost", money(cost.TotalUSD), "over " + res.End.Duration().String() + " simulated"},
		{"Cost per day", money(cost.PerDayUSD), "EC2 is " + share(ec2Total(cost), cost.TotalUSD) + " of the bill; unreserved (idle) EC2 capacity " + share(idle(cost), cost.TotalUSD)},
		{"Peak instances", strconv.Itoa(s.Instances.Peak), fmt.Sprintf("%d launched, %d at the end", s.Instances.Launched, s.Instances.AtEnd)},
		{"Placement wait p95", seconds(nearestRank(all, 0.95).Seconds()), "max " + seconds(nearestRank(all, 1).Seconds()) + ", task created to placed"},
		{"Tasks started", strconv.Itoa(len(all)), "placed on capacity, services and batch jobs"},
		{"Placement failures", strconv.Itoa(failures), failNote},
		{"Services at desired", fmt.Sprintf("%d of %d", keeping, len(s.Services)), "running ≥ desired at the end of the run"},
		sloCard(s.Services),
	}
}

// sloCard shows the worst latency-SLO attainment among services that have
// an SLO.
func sloCard(svcs []ecs.ServiceSummary) card {
	worst, name, n := 101.0, "", 0
	for _, sv := range svcs {
		if sv.SLOAttainmentPct < 0 {
			continue
		}
		n++
		if sv.SLOAttainmentPct < worst {
			worst, name = sv.SLOAttainmentPct, sv.Name
		}
	}
	if n == 0 {
		return card{"SLO attainment", "–", "no service has a latency SLO"}
	}
	return card{"SLO attainment", strconv.FormatFloat(worst, 'f', 2, 64) + "%",
		fmt.Sprintf("worst of %d services with an SLO: %s; requests served within the SLO", n, name)}
}

// sloText formats a service's SLO attainment and dropped requests.
func sloText(sv ecs.ServiceSummary) (slo, dropped string) {
	slo, dropped = "–", "–"
	if sv.SLOAttainmentPct >= 0 {
		slo = strconv.FormatFloat(sv.SLOAttainmentPct, 'f', 2, 64) + "%"
	}
	if sv.RequestsOffered > 0 {
		dropped = strconv.FormatFloat(100*sv.RequestsDropped/sv.RequestsOffered, 'f', 2, 64) + "%"
	}
	return slo, dropped
}

func ec2Total(c *Cost) USD {
	var t USD
	for _, r := range c.ByInstanceType {
		t += r.USD
	}
	return t
}

func idle(c *Cost) USD {
	for _, o := range c.ByOwner {
		if o.Kind == "idle" {
			return o.USD
		}
	}
	return 0
}

// ownerCost finds an owner's line by name and kind.
func ownerCost(c *Cost, name, kind string) USD {
	for _, o := range c.ByOwner {
		if o.Name == name && o.Kind == kind {
			return o.USD
		}
	}
	return 0
}

func ownerTables(res *sim.Result, cost *Cost) ([]serviceRow, []jobRow) {
	var svcs []serviceRow
	var jobs []jobRow
	for _, s := range res.Summary.Services {
		usd := ownerCost(cost, s.Name, "service")
		slo, dropped := sloText(s)
		svcs = append(svcs, serviceRow{Name: s.Name, TaskDef: s.TaskDefinition, SLO: slo, Dropped: dropped,
			Desired: strconv.Itoa(s.DesiredAtEnd), Running: strconv.Itoa(s.RunningAtEnd),
			Started: strconv.Itoa(s.TasksStarted), Stopped: strconv.Itoa(s.TasksStopped),
			P50: seconds(s.PlacementWait.P50), P95: seconds(s.PlacementWait.P95), Max: seconds(s.PlacementWait.Max),
			USD: money(usd), Share: share(usd, cost.TotalUSD), Short: s.RunningAtEnd < s.DesiredAtEnd})
	}
	for _, j := range res.Summary.BatchJobs {
		usd := ownerCost(cost, j.Name, "job")
		jobs = append(jobs, jobRow{Name: j.Name, Submitted: strconv.Itoa(j.Submitted), Completed: strconv.Itoa(j.Completed),
			Running: strconv.Itoa(j.RunningAtEnd), Failed: strconv.Itoa(j.RunTaskFailures),
			P50: seconds(j.PlacementWait.P50), P95: seconds(j.PlacementWait.P95), Max: seconds(j.PlacementWait.Max),
			USD: money(usd), Share: share(usd, cost.TotalUSD)})
	}
	return svcs, jobs
}

// providerTable is the cost and use of each capacity provider.
func providerTable(res *sim.Result, cost *Cost) []providerRow {
	instances, tasks := map[string]int{}, map[string]int{}
	for i := range res.Instances {
		instances[instanceProvider(res, &res.Instances[i])]++
	}
	kinds := map[string]string{}
	for _, t := range res.Tasks {
		name := res.Providers[t.Provider].Name
		if t.Instance >= 0 {
			name = instanceProvider(res, &res.Instances[t.Instance])
		}
		tasks[name]++
	}
	for _, p := range res.Providers {
		switch {
		case p.Spot:
			kinds[p.Name] = "Fargate Spot"
		case p.Fargate:
			kinds[p.Name] = "Fargate"
		}
	}
	var rows []providerRow
	for _, l := range cost.ByProvider {
		kind, ok := kinds[l.Name]
		if !ok {
			kind = "EC2 Auto Scaling group"
		}
		inst := "–"
		if !strings.HasPrefix(kind, "Fargate") {
			inst = strconv.Itoa(instances[l.Name])
		}
		rows = append(rows, providerRow{Name: l.Name, Kind: kind, Instances: inst, Tasks: strconv.Itoa(tasks[l.Name]),
			USD: money(l.USD), Share: share(l.USD, cost.TotalUSD)})
	}
	return rows
}

// costTables are the breakdowns by owner, purchase option and instance type.
func costTables(c *Cost) (owners, purchases []ownerRow, types []typeRow) {
	for _, o := range c.ByOwner {
		owners = append(owners, ownerRow{Name: o.Name, Kind: o.Kind, EC2: money(o.EC2USD), Fargate: money(o.FargateUSD),
			USD: money(o.USD), Share: share(o.USD, c.TotalUSD)})
	}
	for _, p := range c.ByPurchase {
		purchases = append(purchases, ownerRow{Name: p.Name, USD: money(p.USD), Share: share(p.USD, c.TotalUSD)})
	}
	for _, t := range c.ByInstanceType {
		types = append(types, typeRow{Type: t.Type, Purchase: t.Purchase, Launches: strconv.Itoa(t.Launches),
			Hours: strconv.FormatFloat(float64(t.InstanceSeconds)/3600, 'f', 1, 64),
			Rate:  "$" + strconv.FormatFloat(t.USDPerHour, 'f', 4, 64), USD: money(t.USD)})
	}
	for _, f := range c.Fargate {
		types = append(types, typeRow{Type: "Fargate task", Purchase: f.Purchase, Launches: strconv.Itoa(f.Tasks),
			Hours: fmt.Sprintf("%.1f vCPU-h, %.1f GB-h", float64(f.CPUUnitSeconds)/1024/3600, float64(f.MiBSeconds)/1024/3600),
			Rate:  "per vCPU-h and GB-h", USD: money(f.USD)})
	}
	return owners, purchases, types
}

// priceNotes says where the prices come from and what was chosen.
func priceNotes(p *Prices) []string {
	return []string{
		fmt.Sprintf("Region %s; prices as of %s; source: %s.", p.Region, p.Date, p.Source),
		fmt.Sprintf("EC2 Spot is modelled as %.0f%% off On-Demand and Fargate Spot as %.0f%% off Fargate (choices: real Spot prices move).",
			100*p.SpotDiscount, 100*p.FargateSpotDiscount),
		fmt.Sprintf("Fargate Linux/x86: $%g per vCPU-hour, $%g per GB-hour; per second, rounded up, one-minute minimum.",
			p.Fargate.USDPerVCPUHour, p.Fargate.USDPerGBHour),
		"EC2: per second from launch to termination, 60-second minimum per launch. An instance's cost is shared among its tasks by reserved CPU and memory (half weight each); the unreserved rest is idle capacity.",
	}
}

// timeline groups the notable events (everything but task state changes
// and registrations): events of one type, group, status and reason within
// timelineMerge of the row's first become one row with a count.
func timeline(res *sim.Result) ([]timelineRow, string) {
	var rows []timelineRow
	var first []des.Time
	var counts []int
	last := map[string]int{} // key -> open row
	for _, e := range res.Events {
		if e.Type == schema.TaskStateChange || e.Type == schema.InstanceRegistered {
			continue
		}
		key := e.Type + "\x00" + e.Group + "\x00" + e.Status + "\x00" + e.Reason
		if i, ok := last[key]; ok && (e.At-first[i]).Duration() <= timelineMerge {
			counts[i]++
			continue
		}
		last[key] = len(rows)
		first = append(first, e.At)
		counts = append(counts, 1)
		rows = append(rows, timelineRow{Time: res.Config.Start.Add(e.At.Duration()).Format("Mon 15:04:05"),
			Type: e.Type, Subject: e.Subject, Group: e.Group, Status: e.Status, Reason: e.Reason})
	}
	for i := range rows {
		if counts[i] > 1 {
			rows[i].Count = "×" + strconv.Itoa(counts[i])
			rows[i].Subject += fmt.Sprintf(" and %d more", counts[i]-1)
		}
	}
	plural := "s"
	if len(rows) == 1 {
		plural = ""
	}
	note := fmt.Sprintf("%d row%s; events of one kind within %s are grouped. The full log is events.csv.", len(rows), plural, timelineMerge)
	if len(rows) > timelineCap {
		note = fmt.Sprintf("Showing the first %d of %d rows; events of one kind within %s are grouped. The full log is events.csv.",
			timelineCap, len(rows), timelineMerge)
		rows = rows[:timelineCap]
	}
	return rows, note
}

// instanceProvider names the capacity provider an instance's cost goes to:
// its group's capacity provider, or the group itself when none uses it.
func instanceProvider(res *sim.Result, in *sim.InstanceUsage) string {
	if in.Provider >= 0 {
		return res.Providers[in.Provider].Name
	}
	return res.Config.Groups[in.Group].Name + " (no capacity provider)"
}
