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
	// P95WaitS is the worst p95 placement wait (creation to PENDING) of any
	// service or batch job, in seconds: the sweep's single latency figure.
	P95WaitS          float64
	PeakInstances     int
	SpotInterruptions int // EC2 instances and Fargate Spot tasks
	TasksStarted      int // tasks placed (one usage record each), services and batch jobs
	PlacementFailures int // tasks that failed a placement at least once
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
}

// Row is one run's outcome.
type Row struct {
	Run     Run
	Outcome Outcome
}

// OutcomeOf reduces a run's result to its outcome. Money is rounded to a
// millionth of a dollar and seconds to a millisecond, so that what
// results.csv holds is exactly what the report computes from.
func OutcomeOf(res *sim.Result, prices report.Prices) (Outcome, error) {
	cost, err := report.ComputeCost(res, prices)
	if err != nil {
		return Outcome{}, err
	}
	s := &res.Summary
	o := Outcome{
		CostUSD:           round(float64(cost.TotalUSD), 1e6),
		USDPerDay:         round(float64(cost.PerDayUSD), 1e6),
		PeakInstances:     s.Instances.Peak,
		SpotInterruptions: s.Instances.SpotInterruptions,
		TasksStarted:      res.Tasks.Len(),
		Events:            s.EventsProcessed,
		SLOAttainmentPct:  math.NaN(),
	}
	var offered, within float64
	for _, sv := range s.Services {
		if sv.PlacementWait.Count > 0 {
			o.P95WaitS = max(o.P95WaitS, sv.PlacementWait.P95)
		}
		if sv.SLO != nil {
			o.Objectives += len(sv.SLO.Objectives)
			o.ObjectivesMet += sv.SLO.Met
		}
		if sv.SLOAttainmentPct >= 0 && sv.RequestsOffered > 0 {
			offered += sv.RequestsOffered
			within += sv.RequestsOffered * sv.SLOAttainmentPct
		}
	}
	for _, j := range s.BatchJobs {
		if j.PlacementWait.Count > 0 {
			o.P95WaitS = max(o.P95WaitS, j.PlacementWait.P95)
		}
	}
	o.P95WaitS = round(o.P95WaitS, 1e3)
	if offered > 0 {
		o.SLOAttainmentPct = round(within/offered, 1e4)
	}
	for _, n := range s.PlacementFailures {
		o.PlacementFailures += n
	}
	best, saving, err := report.BestCommitment(res, prices)
	if err != nil {
		return Outcome{}, err
	}
	o.BestCommitmentUSDPerHour = round(best.CommitmentUSDPerHour, 1e6)
	if days := res.End.Duration().Hours() / 24; days > 0 {
		o.CommitmentSavingUSDPerDay = round(float64(saving)/days, 1e6)
	}
	return o, nil
}

func round(x, scale float64) float64 { return math.Round(x*scale) / scale }

// Options tunes Execute.
type Options struct {
	Workers int // <= 0: one per CPU (runtime.GOMAXPROCS)
	// Progress, when set, is called after each finished run with the number
	// finished so far, on Execute's goroutine.
	Progress func(done, total int)
	// OnRow, when set, is called with each finished run's row as it
	// finishes (in finishing order, not run order), on Execute's goroutine,
	// before Progress: a Journal's Append, so that an interrupted sweep
	// keeps what it finished. An error stops the sweep as a failed run does.
	OnRow func(Row) error
}

// Execute is ExecuteContext without cancellation.
func Execute(p *Plan, runs []Run, opt Options) ([]Row, error) {
	return ExecuteContext(context.Background(), p, runs, opt)
}

// ExecuteContext simulates runs of the plan on a pool of workers and returns
// their rows sorted by run index (variant, then seed number). Each run parses
// its variant's scenario afresh (runs share nothing) and uses its own seed,
// so its outcome is the same whatever the worker count. The first failure,
// in run order, stops the sweep.
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
	type done struct {
		pos int
		row Row
		err error
	}
	jobs := make(chan int)
	results := make(chan done)
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for pos := range jobs {
				if failed.Load() || ctx.Err() != nil {
					results <- done{pos: pos, err: errSkipped}
					continue
				}
				row, err := p.simulate(runs[pos])
				if err != nil {
					failed.Store(true)
				}
				results <- done{pos, row, err}
			}
		})
	}
	go func() {
	feed:
		for pos := range runs {
			if ctx.Err() != nil || failed.Load() {
				break
			}
			select {
			case jobs <- pos:
			case <-ctx.Done():
				break feed
			}
		}
		close(jobs)
		wg.Wait()
		close(results)
	}()
	errs := make([]error, len(runs))
	var rows []Row
	for d := range results {
		errs[d.pos] = d.err
		if d.err != nil {
			continue
		}
		if opt.OnRow != nil {
			if err := opt.OnRow(d.row); err != nil {
				errs[d.pos] = err
				failed.Store(true)
				continue
			}
		}
		rows = append(rows, d.row)
		if opt.Progress != nil {
			opt.Progress(len(rows), len(runs))
		}
	}
	for _, err := range errs {
		if err != nil && err != errSkipped {
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

var errSkipped = fmt.Errorf("sweep: skipped after an earlier failure")

// simulate runs one run.
func (p *Plan) simulate(r Run) (Row, error) {
	v := &p.Variants[r.Variant-1]
	sc, err := scenarios.Parse(v.Source, p.Spec.Base.File, p.Spec.ReadRel)
	if err != nil { // validated by NewPlan: only a changed referenced file gets here
		return Row{}, fmt.Errorf("variant %d: %w", v.ID, err)
	}
	cfg := sc.Config
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
