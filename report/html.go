package report

import (
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

//go:embed report.html.tmpl
var reportTemplate string

// page is what report.html.tmpl shows. Every string is plain text that
// html/template escapes; only the plots' SVG, made here, is trusted.
type page struct {
	Title, Description, Seed, Start, Duration string
	Cards                                     []card
	CardColumns                               int
	Figures                                   []figureView
	PlotsNotes                                []string
	Services                                  []serviceRow
	ServicesFolded                            bool // some rows are several services
	Resilience                                []resilienceRow
	Deployments                               []deploymentRow
	DeploymentsNote                           string
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
	Idle                                      *idleView
	SLO                                       *sloView // the services' objectives (slo.go); nil without any
	Warnings                                  []string // the scenario's warnings (Summary.Warnings)
	EKS                                       *eksView // an EKS run's sections (eks_sections.go); nil for ECS
	// the interactive layer (interactive.go): uPlot and fleetsim's chart
	// script, inlined when some figure has a chart
	Charts   bool
	ChartCSS template.CSS
	ChartLib template.JS
	ChartJS  template.JS

	Explain *explainView // the explained placements (explain_html.go); nil: none
}

type card struct{ Label, Value, Note string }

type figureView struct {
	ID, Title, Caption string
	SVG                template.HTML
	Chart              template.JS // the interactive chart's JSON; "" for none
	ChartNote          string      // what the chart leaves out, shown with it
}

type serviceRow struct {
	Name, TaskDef, Desired, Running, Started, Stopped, P50, P95, Max, SLO, Dropped, USD, Share string
	Short                                                                                      bool // running below desired at the end
	Folded                                                                                     bool // several services in one row
}

type jobRow struct {
	Name, Submitted, Completed, Running, Failed, P50, P95, Max, USD, Share string
}

type providerRow struct{ Name, Kind, Instances, Tasks, USD, Share string }

type ownerRow struct {
	Name, Kind, EC2, Fargate, USD, Share string
	Folded                               bool
}

type typeRow struct{ Type, Purchase, Launches, Hours, Rate, USD string }

type failureRow struct{ Reason, Tasks string }

// WriteHTML writes the self-contained report: summary cards, the figures'
// SVG inline, tables per service, capacity provider and owner, a timeline of
// notable events and the scenario source. figs are rendered here.
func WriteHTML(w io.Writer, res *sim.Result, cost *Cost, figs []*Figure, source string) error {
	t, err := template.New("report").Parse(reportTemplate)
	if err != nil {
		return fmt.Errorf("report: template: %w", err)
	}
	if _, err := t.Parse(eksTemplate); err != nil { // report/eks_html.go
		return fmt.Errorf("report: template: %w", err)
	}
	if _, err := t.Parse(explainTemplate); err != nil { // report/explain_html.go
		return fmt.Errorf("report: template: %w", err)
	}
	pg := &page{
		Title: res.Summary.Scenario, Description: res.Summary.Description,
		Seed: strconv.FormatUint(res.Summary.Seed, 10), Start: res.Config.Start.Format("Mon 2 Jan 2006 15:04 MST"),
		Duration: res.End.Duration().String(), Source: source, Warnings: res.Summary.Warnings,
	}
	pg.Cards = cards(res, cost)
	// two rows of cards: 8 in 4 columns, 9 in 5
	pg.CardColumns = min(max((len(pg.Cards)+1)/2, 3), 5)
	var ex *IdleExplanation
	for _, f := range figs {
		svg, err := f.SVG()
		if err != nil {
			return err
		}
		chart, note, err := f.interactive()
		if err != nil {
			return err
		}
		pg.Figures = append(pg.Figures, figureView{ID: f.ID, Title: f.Title, Caption: f.Caption, SVG: inlineSVG(svg, f.Title),
			Chart: chart, ChartNote: note})
		pg.Charts = pg.Charts || chart != ""
		ex = cmp.Or(ex, f.idle)
	}
	if pg.Charts {
		pg.ChartCSS, pg.ChartLib, pg.ChartJS = template.CSS(uPlotCSS), template.JS(uPlotJS), template.JS(chartsJS)
	}
	if ex == nil && res.Summary.Instances.Launched > 0 {
		var err error
		if ex, err = ExplainIdle(res, cost); err != nil {
			return err
		}
	}
	pg.Idle = idleSummary(ex, cost)
	pg.SLO = objectivesTable(res)
	pg.PlotsNotes = plotsNotes(res)
	pg.Services, pg.Jobs = ownerTables(res, cost)
	pg.ServicesFolded = slices.ContainsFunc(pg.Services, func(r serviceRow) bool { return r.Folded })
	faults := Faults(res)
	pg.Resilience, pg.Deployments, pg.DeploymentsNote, pg.Faults, pg.FaultsNote = incidentTables(res, faults)
	pg.Providers = providerTable(res, cost)
	pg.Owners, pg.Purchases, pg.Types = costTables(cost)
	for _, r := range slices.Sorted(maps.Keys(res.Summary.PlacementFailures)) {
		pg.Failures = append(pg.Failures, failureRow{r, count(res.Summary.PlacementFailures[r])})
	}
	pg.Timeline, pg.TimelineNote = timeline(res, faults)
	pg.Prices = priceNotes(&cost.Prices)
	pg.Explain = explainSection(res) // report/explain_html.go
	if res.EKS != nil {
		eksPage(pg, res, cost) // report/eks_html.go
	}
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

// cards are the run's headline numbers, every one from summary.json (or
// cost.json): exact whatever the run left out of its event log and series.
// EC2 cards only when the run launched instances, Fargate ones only when
// it ran Fargate tasks.
func cards(res *sim.Result, cost *Cost) []card {
	s := res.Summary
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
		failNote = "tasks that could not be placed at least once (by reason under Services)"
	}
	cs := []card{{"Total cost", money(cost.TotalUSD), "over " + res.End.Duration().String() + " simulated"}}
	if res.End.Duration() == 24*time.Hour { // the total is the cost per day
		cs[0].Note = "over one simulated day; " + billNote(cost)
	} else {
		cs = append(cs, card{"Cost per day", money(cost.PerDayUSD), billNote(cost)})
	}
	cs[len(cs)-1].Note += steadyCostNote(res, cost) // the warm-up's (slo.go)
	if s.Instances.Launched > 0 {
		note := fmt.Sprintf("%s launched, %s at the end", count(s.Instances.Launched), count(s.Instances.AtEnd))
		cs = append(cs, card{"Peak EC2 instances", count(s.Instances.Peak), warmUpPeakNote(s) + note})
	}
	if c, ok := fargateCard(cost); ok {
		cs = append(cs, c)
	}
	return append(cs, tasksCard(s), warmUpWaitCard(waitCard(s), s),
		card{"Placement failures", count(failures), failNote},
		card{"Services at desired", fmt.Sprintf("%s of %s", count(keeping), count(len(s.Services))), "running ≥ desired at the end of the run"},
		qualityCard(s.Services))
}

// billNote says where the money goes: EC2 and its idle part, or Fargate.
func billNote(cost *Cost) string {
	ec2 := ec2Total(cost)
	if ec2 <= 0 {
		return "all Fargate: no EC2 instance ran"
	}
	return "EC2 is " + share(ec2, cost.TotalUSD) + " of the bill; unreserved (idle) EC2 capacity " + share(idle(cost), cost.TotalUSD)
}

// fargateCard counts the Fargate and Fargate Spot tasks billed.
func fargateCard(cost *Cost) (card, bool) {
	tasks, spot := 0, 0
	var usd USD
	var cpuSec int64
	for _, f := range cost.Fargate {
		tasks += f.Tasks
		usd += f.USD
		cpuSec += f.CPUUnitSeconds
		if strings.Contains(f.Purchase, "spot") {
			spot += f.Tasks
		}
	}
	if tasks == 0 {
		return card{}, false
	}
	note := fmt.Sprintf("%s vCPU-hours, %s of the bill", strconv.FormatFloat(float64(cpuSec)/1024/3600, 'f', 1, 64), share(usd, cost.TotalUSD))
	if spot > 0 {
		note += fmt.Sprintf("; %s on Fargate Spot", count(spot))
	}
	return card{"Fargate tasks", count(tasks), note}, true
}

// tasksCard counts the tasks the run started: services' tasks and batch
// tasks submitted (RunTask).
func tasksCard(s sim.Summary) card {
	svc, jobs := 0, 0
	for _, sv := range s.Services {
		svc += sv.TasksStarted
	}
	for _, j := range s.BatchJobs {
		jobs += j.Submitted
	}
	note := count(svc) + " by services"
	if len(s.BatchJobs) > 0 {
		note += ", " + count(jobs) + " batch tasks submitted"
	}
	return card{"Tasks started", count(svc + jobs), note}
}

// waitCard shows the worst placement-wait p95 among services and batch
// jobs (summary.json keeps each one's percentiles, not the run's).
func waitCard(s sim.Summary) card {
	type owner struct {
		name string
		w    ecs.WaitStats
	}
	var all []owner
	for _, sv := range s.Services {
		all = append(all, owner{sv.Name, sv.PlacementWait})
	}
	for _, j := range s.BatchJobs {
		all = append(all, owner{j.Name + " (batch job)", j.PlacementWait})
	}
	p95, maxw := -1, -1
	for i, o := range all {
		if o.w.Count == 0 {
			continue
		}
		if p95 < 0 || o.w.P95 > all[p95].w.P95 {
			p95 = i
		}
		if maxw < 0 || o.w.Max > all[maxw].w.Max {
			maxw = i
		}
	}
	if p95 < 0 {
		return card{"Placement wait p95", "–", "no task was placed"}
	}
	note := "worst service or job: " + all[p95].name + "; longest wait " + seconds(all[maxw].w.Max) + " (" + all[maxw].name + ")"
	switch {
	case all[maxw].w.Max == 0:
		note = "no task waited: every one was placed when it was created"
	case len(all) == 1:
		note = "longest wait " + seconds(all[maxw].w.Max) + "; task created to placed"
	}
	return card{"Placement wait p95", seconds(all[p95].w.P95), note}
}

// decimal formats v with prec decimals and thousands separated.
func decimal(v float64, prec int) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', prec, 64)
	whole, frac, _ := strings.Cut(s, ".")
	n, _ := strconv.Atoi(whole)
	out := count(n)
	if frac != "" {
		out += "." + frac
	}
	if v < 0 && strings.Trim(s, "0.") != "" {
		out = "-" + out
	}
	return out
}

// count formats a whole number with thousands separated: "1,767,068".
func count(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
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
	note := fmt.Sprintf("worst of %d services with an SLO: %s; requests served within the SLO", n, name)
	if n == 1 {
		note = "requests " + name + " served within its latency SLO"
	}
	return card{"SLO attainment", strconv.FormatFloat(worst, 'f', 2, 64) + "%", note}
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

// serviceWorse orders services worst first: short of desired at the end,
// then least available, least within the SLO, most dropped, longest p95
// wait.
func serviceWorse(ss []ecs.ServiceSummary) func(a, b int) int {
	return byWorst(func(i int) float64 { return float64(b2i(ss[i].RunningAtEnd < ss[i].DesiredAtEnd)) },
		func(i int) float64 { return 100 - ss[i].AvailabilityPct },
		func(i int) float64 {
			if ss[i].SLOAttainmentPct < 0 { // no SLO
				return 0
			}
			return 100 - ss[i].SLOAttainmentPct
		},
		func(i int) float64 { return droppedShare(ss[i : i+1]) },
		func(i int) float64 { return ss[i].PlacementWait.P95 })
}

// droppedShare is the share of the requests offered to services that they
// dropped, or 0.
func droppedShare(ss []ecs.ServiceSummary) float64 {
	var offered, dropped float64
	for _, s := range ss {
		offered, dropped = offered+s.RequestsOffered, dropped+s.RequestsDropped
	}
	if offered <= 0 {
		return 0
	}
	return dropped / offered
}

// ownerTables are the services table (copies folded, see fold) and the
// batch jobs table.
func ownerTables(res *sim.Result, cost *Cost) ([]serviceRow, []jobRow) {
	ss := res.Summary.Services
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.Name
	}
	usd := func(i int) USD { return ownerCost(cost, ss[i].Name, "service") }
	one := func(i int) serviceRow {
		s := ss[i]
		slo, dropped := sloText(s)
		return serviceRow{Name: s.Name, TaskDef: s.TaskDefinition, SLO: slo, Dropped: dropped,
			Desired: count(s.DesiredAtEnd), Running: count(s.RunningAtEnd),
			Started: count(s.TasksStarted), Stopped: count(s.TasksStopped),
			P50: seconds(s.PlacementWait.P50), P95: seconds(s.PlacementWait.P95), Max: seconds(s.PlacementWait.Max),
			USD: money(usd(i)), Share: share(usd(i), cost.TotalUSD), Short: s.RunningAtEnd < s.DesiredAtEnd}
	}
	svcs := foldRows(families(names), serviceWorse(ss), one, func(label string, idx []int) serviceRow {
		return foldedServices(label, idx, ss, usd, cost.TotalUSD)
	})
	var jobs []jobRow
	for _, j := range res.Summary.BatchJobs {
		usd := ownerCost(cost, j.Name, "job")
		jobs = append(jobs, jobRow{Name: j.Name, Submitted: count(j.Submitted), Completed: count(j.Completed),
			Running: count(j.RunningAtEnd), Failed: count(j.RunTaskFailures),
			P50: seconds(j.PlacementWait.P50), P95: seconds(j.PlacementWait.P95), Max: seconds(j.PlacementWait.Max),
			USD: money(usd), Share: share(usd, cost.TotalUSD)})
	}
	return svcs, jobs
}

// foldedServices is one row for several services: counts and cost summed,
// waits and SLO as the bound the folded services stay within.
func foldedServices(label string, idx []int, ss []ecs.ServiceSummary, usd func(int) USD, total USD) serviceRow {
	row := serviceRow{Name: label, Folded: true, TaskDef: common(idx, func(i int) string { return ss[i].TaskDefinition })}
	var desired, running, started, stopped int
	var p50, p95, mx float64
	var cost USD
	slo, withSLO := 100.0, false
	part := make([]ecs.ServiceSummary, 0, len(idx))
	for _, i := range idx {
		s := ss[i]
		desired, running, started, stopped = desired+s.DesiredAtEnd, running+s.RunningAtEnd, started+s.TasksStarted, stopped+s.TasksStopped
		p50, p95, mx = max(p50, s.PlacementWait.P50), max(p95, s.PlacementWait.P95), max(mx, s.PlacementWait.Max)
		cost += usd(i)
		if s.SLOAttainmentPct >= 0 {
			slo, withSLO = min(slo, s.SLOAttainmentPct), true
		}
		row.Short = row.Short || s.RunningAtEnd < s.DesiredAtEnd
		part = append(part, s)
	}
	row.Desired, row.Running, row.Started, row.Stopped = count(desired), count(running), count(started), count(stopped)
	row.P50, row.P95, row.Max = "≤ "+seconds(p50), "≤ "+seconds(p95), "≤ "+seconds(mx)
	row.SLO, row.Dropped = "–", "–"
	if withSLO {
		row.SLO = "≥ " + pct2(slo)
	}
	if slices.ContainsFunc(part, func(s ecs.ServiceSummary) bool { return s.RequestsOffered > 0 }) {
		row.Dropped = strconv.FormatFloat(100*droppedShare(part), 'f', 2, 64) + "%"
	}
	row.USD, row.Share = money(cost), share(cost, total)
	return row
}

// providerTable is the cost and use of each capacity provider.
func providerTable(res *sim.Result, cost *Cost) []providerRow {
	instances, tasks := map[string]int{}, map[string]int{}
	for i := range res.Instances {
		instances[instanceProvider(res, &res.Instances[i])]++
	}
	kinds := map[string]string{}
	for _, t := range res.Tasks.All() {
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
		case res.Config != nil && miOfGroup(res.Config, p.Group) != nil:
			kinds[p.Name] = "ECS Managed Instances" // managedinstances.go
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
			inst = count(instances[l.Name])
		}
		rows = append(rows, providerRow{Name: l.Name, Kind: kind, Instances: inst, Tasks: count(tasks[l.Name]),
			USD: money(l.USD), Share: share(l.USD, cost.TotalUSD)})
	}
	return rows
}

// ownerCap is the most rows the cost-by-owner table has.
const ownerCap = 12

// ownerRows is the cost by owner, in cost.json's order (services, batch
// jobs, idle capacity), each source service's copies summed in one row.
// Past ownerCap rows the most expensive stay, dearest first, and the rest
// share one row.
func ownerRows(c *Cost) []ownerRow {
	type line struct {
		OwnerCost
		folded bool
	}
	var lines []line
	var svc []OwnerCost
	flush := func() {
		names := make([]string, len(svc))
		for i, o := range svc {
			names[i] = o.Name
		}
		for _, f := range families(names) {
			l := line{OwnerCost: svc[f.Members[0]]}
			if f.Copies() {
				l = line{OwnerCost: OwnerCost{Name: familyName(f, names), Kind: "services"}}
				for _, i := range f.Members {
					l.EC2USD, l.FargateUSD, l.USD = l.EC2USD+svc[i].EC2USD, l.FargateUSD+svc[i].FargateUSD, l.USD+svc[i].USD
				}
			}
			lines = append(lines, l)
		}
		svc = nil
	}
	for _, o := range c.ByOwner {
		if o.Kind == "service" {
			svc = append(svc, o)
			continue
		}
		flush()
		lines = append(lines, line{OwnerCost: o})
	}
	flush()
	if len(lines) > ownerCap {
		slices.SortStableFunc(lines, func(a, b line) int { return cmp.Compare(b.USD, a.USD) })
		rest := line{folded: true}
		for _, l := range lines[ownerCap-1:] {
			rest.EC2USD, rest.FargateUSD, rest.USD = rest.EC2USD+l.EC2USD, rest.FargateUSD+l.FargateUSD, rest.USD+l.USD
		}
		rest.Name = fmt.Sprintf("%d more owners", len(lines)-ownerCap+1)
		lines = append(lines[:ownerCap-1], rest)
	}
	rows := make([]ownerRow, len(lines))
	for i, l := range lines {
		rows[i] = ownerRow{Name: l.Name, Kind: l.Kind, EC2: money(l.EC2USD), Fargate: money(l.FargateUSD),
			USD: money(l.USD), Share: share(l.USD, c.TotalUSD), Folded: l.folded}
	}
	return rows
}

// costTables are the breakdowns by owner, purchase option and instance type.
func costTables(c *Cost) (owners, purchases []ownerRow, types []typeRow) {
	owners = ownerRows(c)
	for _, p := range c.ByPurchase {
		purchases = append(purchases, ownerRow{Name: p.Name, USD: money(p.USD), Share: share(p.USD, c.TotalUSD)})
	}
	for _, t := range c.ByInstanceType {
		types = append(types, typeRow{Type: t.Type, Purchase: t.Purchase, Launches: count(t.Launches),
			Hours: decimal(float64(t.InstanceSeconds)/3600, 1),
			Rate:  "$" + strconv.FormatFloat(t.USDPerHour, 'f', 4, 64), USD: money(t.USD)})
	}
	for _, f := range c.Fargate {
		typ := "Fargate task"
		if f.Platform != "" {
			typ += " (" + f.Platform + ")"
		}
		types = append(types, typeRow{Type: typ, Purchase: f.Purchase, Launches: count(f.Tasks),
			Hours: decimal(float64(f.CPUUnitSeconds)/1024/3600, 1) + " vCPU-h, " + decimal(float64(f.MiBSeconds)/1024/3600, 1) + " GB-h",
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

// instanceProvider names the capacity provider an instance's cost goes to:
// its group's capacity provider, or the group itself when none uses it.
func instanceProvider(res *sim.Result, in *sim.InstanceUsage) string {
	if in.Provider >= 0 {
		return res.Providers[in.Provider].Name
	}
	return res.Config.Groups[in.Group].Name + " (no capacity provider)"
}

// idleView is the idle capacity's explanation: a lead and the main causes
// under the summary cards, every cause in the cost section.
type idleView struct {
	Lead  string
	Main  []string // "57% room on instances running tasks: ..."
	Rows  []idleRow
	Total string
}

type idleRow struct{ Cause, USD, OfIdle, OfBill, Detail string }

// idlePhrases name the causes in a sentence.
var idlePhrases = [numIdleCauses]string{
	IdleRoom: "room on instances running tasks", IdleMemoryLeft: "memory left where CPU filled first",
	IdleCPULeft: "CPU left where memory filled first", IdleMinSize: "empty instances kept by min_size",
	IdleTarget: "empty spares for a target capacity below 100%", IdleScaleIn: "empty instances awaiting scale-in",
	IdleFixed: "empty instances in groups nothing scales", IdleWarmup: "instances waiting for a first task",
	IdleBoot: "instances booting", IdleDraining: "instances draining", IdleBilling: "billing minimums",
}

// idleMainShare is the least share of the idle cost a cause needs to be
// named under the cards; the rest share one line.
const idleMainShare = 0.05

// idleSummary words ex for the page; nil when nothing was idle.
func idleSummary(ex *IdleExplanation, cost *Cost) *idleView {
	if ex == nil || ex.USD <= 0 {
		return nil
	}
	v := &idleView{Lead: fmt.Sprintf("Why %s of the bill is idle EC2 capacity (%s of %s):",
		share(ex.USD, cost.TotalUSD), money(ex.USD), money(cost.TotalUSD)), Total: money(ex.USD)}
	var rest []string
	var restUSD USD
	for _, c := range ex.Causes {
		v.Rows = append(v.Rows, idleRow{Cause: idlePhrases[c.Cause], USD: money(c.USD), OfIdle: share(c.USD, ex.USD),
			OfBill: share(c.USD, cost.TotalUSD), Detail: c.Detail})
		if float64(c.USD) >= idleMainShare*float64(ex.USD) && len(v.Main) < 4 {
			v.Main = append(v.Main, share(c.USD, ex.USD)+" "+idlePhrases[c.Cause]+": "+c.Short+".")
			continue
		}
		rest, restUSD = append(rest, idlePhrases[c.Cause]), restUSD+c.USD
	}
	if len(rest) > 0 {
		v.Main = append(v.Main, share(restUSD, ex.USD)+" the rest: "+strings.Join(rest, ", ")+".")
	}
	return v
}
