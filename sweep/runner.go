package sweep

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
)

// Outcome is what one run is judged by (a row of results.csv).
type Outcome struct {
	CostUSD   float64 // the run's bill (report.ComputeCost at report.PricesFor)
	USDPerDay float64 // CostUSD over the simulated days
	// P95WaitS is the worst p95 wait for capacity, in seconds: of an ECS
	// run's services and batch jobs, the placement wait (creation to
	// PENDING); of an EKS run's workloads, the time Pending. The sweep's
	// single latency figure.
	P95WaitS          float64
	PeakInstances     int
	SpotInterruptions int // EC2 instances and Fargate Spot tasks
	TasksStarted      int // tasks placed (one usage record each), services and batch jobs
	PlacementFailures int // tasks (EKS: pods) that failed a placement at least once
	Events            uint64
	// SLOAttainmentPct is the share of requests served within their latency
	// SLO over the services that have one, weighted by requests offered; NaN
	// when no service has an SLO.
	SLOAttainmentPct float64
	// ObjectivesMet and Objectives count the services' SLO objectives that
	// passed and all of them (summary.json's services[].slo); Objectives
	// is 0 when no service has one.
	ObjectivesMet, Objectives int
	// BestCommitmentUSDPerHour is the hourly Compute Savings Plan
	// commitment that minimises the run's bill, and CommitmentSavingUSDPerDay
	// what it saves a day against none (report.BestCommitment).
	BestCommitmentUSDPerHour  float64
	CommitmentSavingUSDPerDay float64
	// The bill a day split the same way on both orchestrators
	// (report.CostSplit): EC2 instances (Spot included), the EKS control
	// plane (0 on ECS), Fargate tasks or pods, and of the instances' share
	// the idle capacity.
	ComputeUSDPerDay, ControlPlaneUSDPerDay, FargateUSDPerDay, IdleUSDPerDay float64
	// AvailabilityPct is the services' (or served Deployments') share of
	// minutes with their minimum healthy count, weighted by requests
	// offered; NaN when none has a load.
	AvailabilityPct float64
}

// Row is one run's outcome.
type Row struct {
	Run     Run
	Outcome Outcome
}

// OutcomeOf reduces a run's result to its outcome. Money is rounded to a
// millionth of a dollar and seconds to a millisecond, so that what
// results.csv holds is exactly what the report computes from. An EKS run
// is judged by the same figures: its bill raised by the control plane and
// its Fargate pods, its workloads' pods in place of tasks (eksOutcome).
func OutcomeOf(res *sim.Result, prices report.Prices) (Outcome, error) {
	cost, err := report.ComputeCost(res, prices)
	if err != nil {
		return Outcome{}, err
	}
	split, err := report.SplitCost(res, cost, prices)
	if err != nil {
		return Outcome{}, err
	}
	s := &res.Summary
	days := res.End.Duration().Hours() / 24
	perDay := func(u report.USD) float64 {
		if days <= 0 {
			return 0
		}
		return round(float64(u)/days, 1e6)
	}
	o := Outcome{
		CostUSD:           round(float64(cost.TotalUSD), 1e6),
		USDPerDay:         round(float64(cost.PerDayUSD), 1e6),
		PeakInstances:     s.Instances.Peak,
		SpotInterruptions: s.Instances.SpotInterruptions,
		TasksStarted:      res.Tasks.Len(),
		Events:            s.EventsProcessed,
		SLOAttainmentPct:  math.NaN(),
		AvailabilityPct:   math.NaN(),
		ComputeUSDPerDay:  perDay(split.ComputeUSD), ControlPlaneUSDPerDay: perDay(split.ControlPlaneUSD),
		FargateUSDPerDay: perDay(split.FargateUSD), IdleUSDPerDay: perDay(split.IdleUSD),
	}
	var w shares
	for _, sv := range s.Services {
		if sv.PlacementWait.Count > 0 {
			o.P95WaitS = max(o.P95WaitS, sv.PlacementWait.P95)
		}
		if sv.SLO != nil {
			o.Objectives += len(sv.SLO.Objectives)
			o.ObjectivesMet += sv.SLO.Met
		}
		w.add(sv.RequestsOffered, sv.SLOAttainmentPct, sv.AvailabilityPct)
	}
	for _, j := range s.BatchJobs {
		if j.PlacementWait.Count > 0 {
			o.P95WaitS = max(o.P95WaitS, j.PlacementWait.P95)
		}
	}
	if res.EKS != nil && s.EKS != nil {
		eksOutcome(res, &o, &w)
		o.CostUSD, o.USDPerDay = round(float64(split.TotalUSD), 1e6), perDay(split.TotalUSD)
	}
	o.P95WaitS = round(o.P95WaitS, 1e3)
	o.SLOAttainmentPct, o.AvailabilityPct = w.pcts()
	for _, n := range s.PlacementFailures {
		o.PlacementFailures += n
	}
	best, saving, err := bestCommitment(res, cost, prices)
	if err != nil {
		return Outcome{}, err
	}
	o.BestCommitmentUSDPerHour = round(best.CommitmentUSDPerHour, 1e6)
	if days > 0 {
		o.CommitmentSavingUSDPerDay = round(float64(saving)/days, 1e6)
	}
	return o, nil
}

// bestCommitment is report.BestCommitment of the run. A scenario with a
// [billing] has had its commitment curve priced by ComputeCost already (the
// same usage, commitments and prices, so the same curve): it is read from
// cost rather than priced a second time, the largest part of a run's cost.
func bestCommitment(res *sim.Result, cost *report.Cost, prices report.Prices) (report.CommitPoint, report.USD, error) {
	if c := cost.Commitment; c != nil {
		return c.Best, c.NoCommitment - c.Best.TotalUSD, nil
	}
	return report.BestCommitment(res, prices)
}

// eksOutcome fills in an EKS run's figures: the worst p95 time Pending
// (creation to Running, the pods' wait for capacity) of its Deployments,
// Jobs and bare pods (a DaemonSet's pods come with their node: they wait
// for no capacity), the pods that started, and the served Deployments'
// requests (sim/eks service.go).
func eksOutcome(res *sim.Result, o *Outcome, w *shares) {
	o.TasksStarted = res.EKS.PodsStarted
	o.PlacementFailures = res.EKS.PodsUnschedulable
	for _, wl := range res.Summary.EKS.Workloads {
		if wl.Kind != "daemonset" {
			o.P95WaitS = max(o.P95WaitS, wl.PendingP95S)
		}
		if wl.RequestsOffered != nil && wl.SLOAttainmentPct != nil && wl.AvailabilityPct != nil {
			w.add(*wl.RequestsOffered, *wl.SLOAttainmentPct, *wl.AvailabilityPct)
		}
	}
}

// shares weighs SLO attainment and availability by requests offered, over
// the services (or Deployments) that were offered any; SLO attainment only
// over those with an SLO (a negative attainment is none).
type shares struct{ sloOffered, within, offered, up float64 }

func (w *shares) add(offered, slo, avail float64) {
	if offered <= 0 {
		return
	}
	w.offered += offered
	w.up += offered * avail
	if slo >= 0 {
		w.sloOffered += offered
		w.within += offered * slo
	}
}

// pcts are the weighted shares, NaN where nothing was offered.
func (w *shares) pcts() (slo, avail float64) {
	slo, avail = math.NaN(), math.NaN()
	if w.sloOffered > 0 {
		slo = round(w.within/w.sloOffered, 1e4)
	}
	if w.offered > 0 {
		avail = round(w.up/w.offered, 1e4)
	}
	return slo, avail
}

func round(x, scale float64) float64 { return math.Round(x*scale) / scale }

// Options tunes Execute.
type Options struct {
	Workers int // <= 0: one per CPU (runtime.GOMAXPROCS)
	// Progress, when set, is called after each finished run with the number
	// finished so far. The callbacks (Progress, OnRow, Flush) are called
	// one at a time, by the worker that finished the run (and Flush's last
	// call by Execute's goroutine): they need no lock of their own.
	Progress func(done, total int)
	// OnRow, when set, is called with each finished run's row as it
	// finishes (in finishing order, not run order), before Progress: a
	// Journal's Add, so that an interrupted sweep keeps what it finished.
	// An error stops the sweep as a failed run does.
	OnRow func(Row) error
	// Flush, when set, is called after OnRow has been given one or more
	// rows and no further finished run is waiting to be handed over, and
	// once more before Execute returns: a Journal's SyncSoon, which has the
	// rows synced to disk in the background, or its Sync, which waits. An
	// error stops the sweep as OnRow's does.
	Flush func() error
}

// Execute is ExecuteContext without cancellation.
func Execute(p *Plan, runs []Run, opt Options) ([]Row, error) {
	return ExecuteContext(context.Background(), p, runs, opt)
}

// ExecuteContext simulates runs of the plan on a pool of workers and returns
// their rows sorted by run index (variant, then seed number). Each worker
// parses a variant's scenario once and runs its seeds from that Config one
// after another, each with its own seed: a run leaves its Config as it
// found it (TestARunLeavesItsConfigAsItFoundIt), and workers share no
// Config, so a run's outcome is the same whatever the worker count and
// whichever runs a worker did before. The first failure, in run order,
// stops the sweep.
//
// When ctx is cancelled no further run is started; the runs under way are
// finished (a simulation cannot be stopped half-way), and ExecuteContext
// returns the rows of every finished run with an error wrapping ctx.Err()
// and context.Cause(ctx). Those rows have been passed to OnRow.
func ExecuteContext(ctx context.Context, p *Plan, runs []Run, opt Options) ([]Row, error) {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, len(runs)))
	// A worker takes the next run from a counter and hands its row over
	// itself, under a lock, before it takes another: no worker waits for
	// another goroutine to be scheduled, and a stop (a failure, a cancel)
	// leaves at most one run per worker to finish. A feeding goroutine and
	// a collecting one, each waiting for a core the other worker held, made
	// two workers 1.6x one.
	var (
		next    atomic.Int64
		failed  atomic.Bool
		waiting atomic.Int32 // workers with a finished run, not yet handed over
		mu      sync.Mutex   // guards what follows, and the callbacks
		errs    = make([]error, len(runs))
		rows    []Row
		// unflushed is the position of the last row given to OnRow since
		// the last Flush, -1 when none.
		unflushed = -1
	)
	flush := func() { // with mu held
		if unflushed < 0 || opt.Flush == nil {
			return
		}
		if err := opt.Flush(); err != nil {
			errs[unflushed] = err
			failed.Store(true)
		}
		unflushed = -1
	}
	handOver := func(pos int, row Row, err error) {
		mu.Lock()
		defer mu.Unlock()
		waiting.Add(-1)
		errs[pos] = err
		if err != nil {
			failed.Store(true)
			return
		}
		if failed.Load() {
			// The journal refused a row, or a run failed: the sweep
			// stops, and a row finished meanwhile is neither recorded
			// nor returned.
			return
		}
		if opt.OnRow != nil {
			if err := opt.OnRow(row); err != nil {
				errs[pos] = err
				failed.Store(true)
				return
			}
			unflushed = pos
		}
		rows = append(rows, row)
		if opt.Progress != nil {
			opt.Progress(len(rows), len(runs))
		}
		if waiting.Load() == 0 { // none waiting: sync those that came
			flush()
		}
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			var last parsed // the worker's last variant: runs come variant by variant
			for !failed.Load() && ctx.Err() == nil {
				pos := int(next.Add(1) - 1)
				if pos >= len(runs) {
					return
				}
				row, err := p.simulate(runs[pos], &last)
				waiting.Add(1)
				handOver(pos, row, err)
			}
		})
	}
	wg.Wait()
	flush()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(rows, func(a, b Row) int { return a.Run.Index - b.Run.Index })
	if len(rows) < len(runs) {
		err := ctx.Err()
		if cause := context.Cause(ctx); cause != err {
			err = fmt.Errorf("%w: %w", err, cause)
		}
		return rows, fmt.Errorf("sweep: interrupted with %d of %d run(s) finished: %w", len(rows), len(runs), err)
	}
	return rows, nil
}

// parsed is a worker's parse of one variant's scenario.
type parsed struct {
	variant int // 0: none yet
	cfg     *sim.Config
}

// simulate runs one run, from last when it is the run's variant's parse (a
// parse costs a tenth to a fifth of a small scenario's run), else from a
// new parse, which it keeps in last.
func (p *Plan) simulate(r Run, last *parsed) (Row, error) {
	v := &p.Variants[r.Variant-1]
	if last.variant != r.Variant {
		sc, err := scenarios.Parse(v.Source, p.Spec.Base.File, p.Spec.ReadRel)
		if err != nil { // validated by NewPlan: only a changed referenced file gets here
			*last = parsed{}
			return Row{}, fmt.Errorf("variant %d: %w", v.ID, err)
		}
		sc.Config.NoSeries = true // an outcome reads no ECS series (OutcomeOf)
		sc.Config.NoState = true  // nor the final state: a sweep writes no state.json
		*last = parsed{variant: r.Variant, cfg: sc.Config}
	}
	cfg := last.cfg
	cfg.Seed = r.Seed
	res, err := sim.New(cfg).Run()
	if err != nil {
		return Row{}, fmt.Errorf("variant %d, seed %d: %w", v.ID, r.Seed, err)
	}
	o, err := OutcomeOf(res, report.PricesFor(cfg))
	if err != nil {
		return Row{}, fmt.Errorf("variant %d, seed %d: cost: %w", v.ID, r.Seed, err)
	}
	return Row{Run: r, Outcome: o}, nil
}
